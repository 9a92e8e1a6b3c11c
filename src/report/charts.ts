/**
 * The HTML report's charts as Vega-Lite specs: test F1 per target language with the paper's
 * numbers as ticks (the 27-language figure is the same chart without them), and learning curves
 * (English dev F1 against the step, one panel per target language).
 */
import type { TopLevelSpec } from "vega-lite"
import type { ReportRow } from "../experiment/report.js"
import { resultsSpec } from "../viz/plots.js"
import type { EvalPoint } from "./runFiles.js"

/**
 * `resultsSpec`'s bars and error rules plus a red tick at the paper's number for each
 * (language, method) it reports (the first table's, when several report it: they agree).
 */
export const languageBarsSpec = (rows: ReadonlyArray<ReportRow>, title: string): TopLevelSpec => {
  const base = resultsSpec(rows, title)
  const paper = rows.flatMap((r) =>
    r.paper.length === 0 ? [] : [{ lang: r.lang, method: r.method, paper: r.paper[0]!.f1 }]
  )
  if (paper.length === 0 || !("layer" in base)) return base
  return {
    ...base,
    layer: [
      ...base.layer,
      {
        data: { values: paper },
        mark: { type: "tick", color: "#d62728", thickness: 2 },
        encoding: {
          y: { field: "paper", type: "quantitative" }
        }
      }
    ]
  }
}

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
  columns: 6,
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
