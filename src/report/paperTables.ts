/**
 * The paper's reported test F1 (mean of 5 runs, mBERT, percent), transcribed from Tables 3, 4
 * and 5 of ../shared/PAPER.md, keyed by this project's method names. Table 3's es/nl/de are
 * CoNLL, ar/hi/zh WikiAnn; Table 4 is at 1000 English sentences; Table 5 is CoNLL without KD.
 * Each row keeps the paper's own average so the transcription can be checked against it.
 */
import type { PaperVariant } from "../losses/objective.js"

export type PaperTable = "table3" | "table4" | "table5"

export interface PaperRow {
  readonly table: PaperTable
  readonly size: number
  readonly method: PaperVariant
  /** F1 by target language, in the table's column order. */
  readonly f1: Readonly<Record<string, number>>
  readonly avg: number
}

const table3Langs = ["es", "nl", "de", "ar", "hi", "zh"] as const
const table5Langs = ["es", "nl", "de"] as const

const rows = (
  table: PaperTable,
  langs: ReadonlyArray<string>,
  body: ReadonlyArray<readonly [number, PaperVariant, ReadonlyArray<number>]>
): Array<PaperRow> =>
  body.map(([size, method, values]) => ({
    table,
    size,
    method,
    f1: Object.fromEntries(langs.map((l, i) => [l, values[i]!])),
    avg: values[langs.length]!
  }))

// biome-ignore format: tables
export const paperRows: ReadonlyArray<PaperRow> = [
  ...rows("table3", table3Langs, [
    [500, "en", [66.66, 70.14, 59.33, 37.02, 57.06, 43.63, 55.64]],
    [500, "en-kd", [69.99, 72.28, 62.5, 40.49, 58.4, 46.38, 58.34]],
    [500, "mulda", [67.36, 72.05, 62.55, 37.55, 58.29, 44.84, 57.11]],
    [500, "concner", [71.08, 75.19, 66.96, 41.84, 61.87, 47.68, 60.77]],
    [1000, "en", [69.34, 70.84, 63.15, 41.83, 57.78, 44.42, 57.89]],
    [1000, "en-kd", [71.13, 73.84, 65.39, 43.71, 59.75, 45.5, 59.89]],
    [1000, "mulda", [69.93, 71.61, 65.29, 38.7, 60.16, 45.64, 58.56]],
    [1000, "concner", [73.43, 76.25, 68.74, 41.96, 64.95, 49.21, 62.42]],
    [2000, "en", [72.87, 75.89, 68.36, 44.37, 59.91, 45.56, 61.16]],
    [2000, "en-kd", [74.96, 78.16, 70.97, 46.53, 62.08, 47.86, 63.43]],
    [2000, "mulda", [72.49, 75.24, 68.85, 42.45, 61.58, 47.03, 61.27]],
    [2000, "concner", [75.57, 78.35, 72.82, 46.97, 65.69, 50.25, 64.94]]
  ]),
  ...rows("table4", table3Langs, [
    [1000, "concner-no-kd", [71.1, 72.92, 66.31, 39.56, 61.18, 46.37, 59.57]],
    [1000, "concner-no-tcl", [72.6, 75.29, 67.89, 41.18, 64.02, 48.37, 61.56]],
    [1000, "concner-no-lcl", [72.88, 75.42, 68.42, 41.41, 64.08, 48.34, 61.76]],
    [1000, "concner-no-cl", [72.19, 74.27, 66.93, 40.87, 63.72, 48.03, 61.0]],
    [1000, "concner", [73.43, 76.25, 68.74, 41.96, 64.95, 49.21, 62.42]]
  ]),
  ...rows("table5", table5Langs, [
    [500, "en", [66.66, 70.14, 59.33, 65.38]],
    [500, "trans", [65.38, 71.53, 62.39, 66.43]],
    [500, "en-trans", [67.36, 72.05, 62.55, 67.32]],
    [500, "en-lcl", [68.1, 69.79, 59.59, 65.83]],
    [500, "trans-lcl", [66.1, 72.28, 62.69, 67.02]],
    [500, "en-trans-lcl", [67.84, 72.4, 63.38, 67.87]],
    [500, "en-trans-lcl-tcl", [68.76, 72.69, 63.85, 68.43]],
    [1000, "en", [69.34, 70.84, 63.15, 67.78]],
    [1000, "trans", [68.96, 70.78, 63.81, 67.85]],
    [1000, "en-trans", [69.93, 71.61, 65.29, 68.94]],
    [1000, "en-lcl", [68.88, 69.09, 60.98, 66.32]],
    [1000, "trans-lcl", [68.34, 72.09, 64.6, 68.34]],
    [1000, "en-trans-lcl", [70.83, 72.43, 65.46, 69.57]],
    [1000, "en-trans-lcl-tcl", [71.1, 72.92, 66.31, 70.11]],
    [2000, "en", [72.87, 75.89, 68.36, 72.37]],
    [2000, "trans", [71.53, 75.02, 67.63, 71.39]],
    [2000, "en-trans", [72.49, 76.24, 68.85, 72.53]],
    [2000, "en-lcl", [73.82, 76.14, 67.94, 72.63]],
    [2000, "trans-lcl", [71.72, 74.14, 68.6, 71.49]],
    [2000, "en-trans-lcl", [72.97, 76.46, 68.85, 72.76]],
    [2000, "en-trans-lcl-tcl", [74.21, 76.6, 70.35, 73.72]]
  ])
]

/** The corpus of a paper column: WikiAnn for ar/hi/zh, CoNLL otherwise. */
export const paperCorpus = (lang: string): "conll" | "wikiann" =>
  ["ar", "hi", "zh"].includes(lang) ? "wikiann" : "conll"

export interface PaperValue {
  readonly table: PaperTable
  readonly f1: number
}

/** What the paper reports for a cell, one entry per table that reports it. */
export const paperF1 = (corpus: string, lang: string, size: number, method: string): Array<PaperValue> =>
  corpus !== paperCorpus(lang)
    ? []
    : paperRows.flatMap((r) => {
        const f1 = r.f1[lang]
        return r.size === size && r.method === method && f1 !== undefined ? [{ table: r.table, f1 }] : []
      })
