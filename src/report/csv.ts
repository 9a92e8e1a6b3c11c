/**
 * `concner report DIR --csv OUT`: the report as two CSV files for pandas, R or a spreadsheet —
 * `summary.csv`, one line per report row (`ReportRow`, numbers unrounded), and `seeds.csv`, one line
 * per run (its test F1, and its teacher's for KD methods). RFC 4180 by hand: quoting is four lines,
 * and the one CSV package in the tree (d3-dsv, vega's) ships no types.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import { translationLabel } from "../experiment/translations.js"
import { writeFileStringAtomic } from "../records/atomic.js"
import { type ReportRow, type Versus, methodLabel, variantColumns } from "./summary.js"

type Value = string | number | boolean | undefined

/** A field as RFC 4180 writes it: quoted when it holds a comma, quote or line break. */
const field = (v: Value) => {
  const text = v === undefined ? "" : String(v)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** Lines ended by CRLF, as RFC 4180 says (pandas, R and spreadsheets read both). */
export const csvText = (head: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<Value>>): string =>
  [head, ...rows].map((r) => `${r.map(field).join(",")}\r\n`).join("")

const rowNames = (r: ReportRow, fields: ReadonlyArray<string>): Array<Value> => [
  r.corpus,
  r.protocol,
  r.model,
  r.sourceSize,
  r.method,
  methodLabel(r.method),
  r.translations === undefined ? undefined : translationLabel(r.translations),
  r.lang,
  ...fields.map((f) => r.variant[f])
]
const nameHead = (fields: ReadonlyArray<string>) => [
  "corpus",
  "protocol",
  "model",
  "source_size",
  "method",
  "label",
  "translations",
  "lang",
  ...fields
]

const versus = (v: Versus | undefined): Array<Value> => [v?.diff, v?.se, v?.seeds.length, v?.significant]
const versusHead = (name: string) => [name, `${name}_se`, `${name}_seeds`, `${name}_significant`]

/** `summary.csv`: one line per row. */
export const summaryCsv = (rows: ReadonlyArray<ReportRow>): string => {
  const fields = variantColumns(rows)
  return csvText(
    [
      ...nameHead(fields),
      "n",
      "stage",
      "f1_mean",
      "f1_std",
      "teacher_f1_mean",
      "teacher_f1_std",
      "paper_f1",
      ...versusHead("vs_en"),
      ...versusHead("vs_mulda"),
      "of_ceiling_percent"
    ],
    rows.map((r) => [
      ...rowNames(r, fields),
      r.n,
      r.stage,
      r.mean,
      r.std,
      r.teacher?.mean,
      r.teacher?.std,
      r.paper[0]?.f1,
      ...versus(r.vsEn),
      ...versus(r.vsMulda),
      r.ofCeiling
    ])
  )
}

/** `seeds.csv`: one line per run. */
export const seedsCsv = (rows: ReadonlyArray<ReportRow>): string => {
  const fields = variantColumns(rows)
  return csvText(
    [...nameHead(fields), "seed", "f1", "teacher_f1"],
    rows.flatMap((r) => r.seeds.map((seed, i) => [...rowNames(r, fields), seed, r.f1s[i], r.teacher?.f1s[i]]))
  )
}

/** Writes `summary.csv` and `seeds.csv` into `dir` (created), each atomically; returns their paths. */
export const writeCsvReport = Effect.fn("Report.writeCsv")(function* (
  dir: string,
  rows: ReadonlyArray<ReportRow>
) {
  const fs = yield* FileSystem.FileSystem
  yield* fs.makeDirectory(dir, { recursive: true })
  const files = { summary: path.join(dir, "summary.csv"), seeds: path.join(dir, "seeds.csv") }
  yield* writeFileStringAtomic(files.summary, summaryCsv(rows))
  yield* writeFileStringAtomic(files.seeds, seedsCsv(rows))
  return [files.summary, files.seeds]
})
