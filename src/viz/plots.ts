/**
 * Figures as Vega-Lite specs rendered to SVG in Node (vega + vega-lite, no browser or canvas;
 * text widths are estimated). Specs are plain values, so tests and other tools can read them.
 */
import * as vega from "vega"
import { type TopLevelSpec, compile } from "vega-lite"
import type { ReportRow } from "../experiment/report.js"
import type { ProjectedToken } from "./tokens.js"

/** Token vectors in 2-D: colour = gold tag, shape = language. */
export const tokenScatterSpec = (points: ReadonlyArray<ProjectedToken>, title: string): TopLevelSpec => ({
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  title,
  width: 560,
  height: 480,
  data: { values: points.map((p) => ({ ...p })) },
  mark: { type: "point", filled: true, size: 30, opacity: 0.75 },
  encoding: {
    x: { field: "x", type: "quantitative", axis: { title: null, labels: false, ticks: false } },
    y: { field: "y", type: "quantitative", axis: { title: null, labels: false, ticks: false } },
    color: { field: "tag", type: "nominal", title: "label" },
    shape: { field: "lang", type: "nominal", title: "language" },
    tooltip: [{ field: "word" }, { field: "tag" }, { field: "lang" }]
  }
})

/**
 * Test F1 per target language and method (the paper's many-language figure): one bar per method
 * within each language, error bars of ± one sample std where there are several seeds.
 */
export const resultsSpec = (rows: ReadonlyArray<ReportRow>, title: string): TopLevelSpec => {
  const values = rows.map((r) => ({
    lang: r.lang,
    method: r.method,
    f1: r.mean,
    low: r.mean - (r.std ?? 0),
    high: r.mean + (r.std ?? 0),
    n: r.n
  }))
  const x = { field: "lang", type: "nominal", title: "target language" } as const
  const xOffset = { field: "method", type: "nominal" } as const
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: { step: 14 * Math.max(1, new Set(values.map((v) => v.method)).size) },
    height: 320,
    data: { values },
    encoding: { x, xOffset },
    layer: [
      {
        mark: "bar",
        encoding: {
          y: { field: "f1", type: "quantitative", title: "test F1 (%)" },
          color: { field: "method", type: "nominal" },
          tooltip: [{ field: "lang" }, { field: "method" }, { field: "f1", format: ".2f" }, { field: "n" }]
        }
      },
      { mark: "rule", encoding: { y: { field: "low", type: "quantitative" }, y2: { field: "high" } } }
    ]
  }
}

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
