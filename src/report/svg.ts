/**
 * Vega-Lite specs (`charts.ts`) rendered to SVG in Node (vega + vega-lite, no browser or canvas;
 * text widths are estimated).
 */
import * as vega from "vega"
import { type TopLevelSpec, compile } from "vega-lite"

/** The spec drawn as an SVG document. */
export const renderSvg = async (spec: TopLevelSpec): Promise<string> => {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

/** A self-contained HTML page holding the SVG (no scripts). */
export const svgPage = (svg: string, title: string): string =>
  `<!doctype html>\n<html><head><meta charset="utf-8"><title>${title.replace(/[<&>]/g, (c) => `&#${c.charCodeAt(0)};`)}</title></head>\n<body>\n${svg}\n</body></html>\n`
