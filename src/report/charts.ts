/**
 * Every figure of the report stage as a Vega-Lite spec (plain values, so tests and other tools can
 * read them; `svg.ts` draws them): the representation scatter, test F1 per target language (the
 * 27-language figure) and the same with the paper's numbers as ticks, and learning curves (English
 * dev F1 against the step, one panel per target language).
 */
import type { TopLevelSpec } from "vega-lite"
import type { EvalPoint } from "./runFiles.js"
import type { ReportRow } from "./summary.js"
import type { ProjectedToken } from "./tokenVectors.js"

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

/** Widest a chart is drawn (px): beyond it facets wrap, so a page at 1,280 px shows it whole. */
const CHART_WIDTH = 1100

/** Facet columns that keep a chart of `facets` panels, each `panel` px wide, within `CHART_WIDTH`. */
const facetColumns = (facets: number, panel: number) =>
  Math.max(1, Math.min(facets, Math.floor(CHART_WIDTH / panel)))

/**
 * Test F1 per target language and method (the paper's many-language figure): one panel per
 * language (panels wrap into rows), a bar per method, error rules of ± one sample std where there
 * are several seeds, and a red tick at the paper's number where `withPaper` and the paper reports it
 * (the first table's, when several do: they agree).
 */
export const resultsSpec = (
  rows: ReadonlyArray<ReportRow>,
  title: string,
  options: { readonly withPaper?: boolean } = {}
): TopLevelSpec => {
  const values = rows.map((r) => ({
    lang: r.lang,
    method: r.method,
    f1: r.mean,
    low: r.mean - (r.std ?? 0),
    high: r.mean + (r.std ?? 0),
    n: r.n,
    paper: options.withPaper && r.paper.length > 0 ? r.paper[0]!.f1 : null
  }))
  const methods = new Set(values.map((v) => v.method)).size
  const langs = new Set(values.map((v) => v.lang)).size
  const step = 14
  const x = { field: "method", type: "nominal", title: null, axis: { labelLimit: 120 } } as const
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    data: { values },
    facet: { field: "lang", type: "nominal", title: "target language" },
    // a panel: its bars plus the y axis (~50 px) and the gap between panels
    columns: facetColumns(langs, step * methods + 60),
    spec: {
      width: { step },
      height: 200,
      encoding: { x },
      layer: [
        {
          mark: "bar",
          encoding: {
            y: { field: "f1", type: "quantitative", title: "test F1 (%)" },
            color: { field: "method", type: "nominal", legend: null },
            tooltip: [{ field: "lang" }, { field: "method" }, { field: "f1", format: ".2f" }, { field: "n" }]
          }
        },
        { mark: "rule", encoding: { y: { field: "low", type: "quantitative" }, y2: { field: "high" } } },
        ...(values.some((v) => v.paper !== null)
          ? [
              {
                transform: [{ filter: "isValid(datum.paper)" }],
                mark: { type: "tick" as const, color: "#d62728", thickness: 2 },
                encoding: { y: { field: "paper", type: "quantitative" as const } }
              }
            ]
          : [])
      ]
    }
  }
}

/** `resultsSpec` with the paper's numbers as red ticks. */
export const languageBarsSpec = (rows: ReadonlyArray<ReportRow>, title: string): TopLevelSpec =>
  resultsSpec(rows, title, { withPaper: true })

export interface LearningCurvePoint extends EvalPoint {
  readonly lang: string
  readonly seed: number
}

/** Dev F1 against the step: one panel per language, a line per seed (colour) and stage (dash). */
export const learningCurveSpec = (
  points: ReadonlyArray<LearningCurvePoint>,
  title: string
): TopLevelSpec => ({
  $schema: "https://vega.github.io/schema/vega-lite/v6.json",
  title,
  // NaN cannot be drawn: it becomes a gap in the line
  data: { values: points.map((p) => ({ ...p, devF1: Number.isFinite(p.devF1) ? p.devF1 : null })) },
  facet: { field: "lang", type: "nominal", title: "target language" },
  columns: facetColumns(new Set(points.map((p) => p.lang)).size, 230),
  spec: {
    width: 160,
    height: 110,
    // plain lines, no tooltips: a static SVG shows neither, and point marks double the render time
    mark: "line",
    encoding: {
      x: { field: "step", type: "quantitative", title: "step" },
      y: { field: "devF1", type: "quantitative", title: "dev F1 (%)" },
      color: { field: "seed", type: "nominal" },
      strokeDash: { field: "stage", type: "nominal" }
    }
  }
})
