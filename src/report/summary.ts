/**
 * The report of a folder of runs: every `result.json` under it, grouped by cell (corpus, target
 * language, source size, method — and protocol and encoder, so runs of different settings are
 * never averaged together), as mean ± sample standard deviation of test F1 over seeds, next to
 * the paper's number for the cell. The F1 is the teacher's, or the student's for KD methods (the
 * paper reports ConCNER and En+KD after distillation), with the teachers' F1 beside it. Each
 * method is also compared with `en` (and with `mulda`) on the same target, seed by seed: runs of
 * one seed share their English sample and their dev and test subsets, so the difference is taken
 * within each seed both rows have and reported as the mean of those differences against its
 * standard error. Runs on translations from another source than MulDA's published sets are rows
 * of their own, marked as deviating from the paper. Runs of one cell whose recorded specs differ in
 * other fields (`protocol.maxSteps`) are variants: rows of their own, told apart by those fields
 * (`variants.ts`). The in-language ceiling (method `tgt`: trained on gold target-language
 * sentences) is a row too, and every transfer row says what share of it it reaches.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Data, Effect, Option, Schema } from "effect"
import { type CellFileInvalid, readResult } from "../experiment/grid.js"
import type { RunResult } from "../experiment/result.js"
import {
  type TranslationSource,
  translationDeviations,
  translationLabel
} from "../experiment/translations.js"
import { paperObjectives } from "../losses/objective.js"
import { type PaperValue, paperF1 } from "./paperTables.js"
import { type Align, type TextTable, markdownTable, textWidth } from "./textTable.js"
import { variantFields, variantOf } from "./variants.js"

export const RESULT_FILE = "result.json"

/** The method name of the in-language ceiling (gold target-language training sentences). */
export const CEILING_METHOD = "tgt"

/** How reports name a method: the ceiling (an upper bound, not a transfer method) by what it is, the others by their names. */
export const methodLabel = (method: string): string =>
  method === CEILING_METHOD ? "In-language (ceiling)" : method

/** Two result files for the same cell, spec and seed (nested output folders, a copied run). */
export class DuplicateResult extends Data.TaggedError("DuplicateResult")<{
  readonly first: string
  readonly second: string
}> {
  override get message() {
    return `${this.second}: same cell, spec and seed as ${this.first}; a seed is counted once — move one of them out of the folder`
  }
}

export interface FoundResult {
  readonly file: string
  readonly result: RunResult
  /** The `spec` of the `spec.json` beside it; undefined when there is none or it is not JSON. */
  readonly spec?: unknown
}

const SpecOnly = Schema.parseJson(Schema.Struct({ spec: Schema.Unknown }))

/** The spec recorded beside `resultFile`, if it can be read (the HTML report names a bad one). */
const specBeside = (resultFile: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* Effect.option(fs.readFileString(path.join(path.dirname(resultFile), "spec.json")))
    return Option.getOrUndefined(
      Option.flatMap(text, (t) => Option.map(Schema.decodeUnknownOption(SpecOnly)(t), (d) => d.spec))
    )
  })

/**
 * Every `result.json` under `dir`, decoded (a malformed one fails with its path), with the spec
 * beside it, in path order.
 */
export const collectResults = Effect.fn("Report.collect")(function* (dir: string) {
  const fs = yield* FileSystem.FileSystem
  const entries = yield* fs.readDirectory(dir, { recursive: true })
  const files = entries
    .filter((f) => path.basename(f) === RESULT_FILE)
    .sort()
    .map((f) => path.join(dir, f))
  // reads overlap (file I/O dominates); order is kept
  return yield* Effect.forEach(
    files,
    (file): Effect.Effect<FoundResult, CellFileInvalid | PlatformError, FileSystem.FileSystem> =>
      Effect.zipWith(readResult(file), specBeside(file), (result, spec) =>
        spec === undefined ? { file, result } : { file, result, spec }
      ),
    { concurrency: 16 }
  )
})

/** Mean and sample standard deviation (n − 1; undefined for one value). */
export const meanStd = (
  xs: ReadonlyArray<number>
): { readonly mean: number; readonly std: number | undefined } => {
  if (xs.length === 0) return { mean: Number.NaN, std: undefined }
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  if (xs.length < 2) return { mean, std: undefined }
  const ss = xs.reduce((a, x) => a + (x - mean) ** 2, 0)
  return { mean, std: Math.sqrt(ss / (xs.length - 1)) }
}

export interface Versus {
  /**
   * F1 minus the baseline's (`en`, `mulda`) on the same target, size, protocol and encoder, averaged
   * over the seeds both have (paired: a seed fixes the English sample and the dev and test subsets,
   * whose variance would otherwise swamp the difference).
   */
  readonly diff: number
  /** Standard error of that mean, sd(differences)/√n; undefined for one shared seed. */
  readonly se: number | undefined
  /** The seeds both rows have, ascending. */
  readonly seeds: ReadonlyArray<number>
  /** Whether a two-sided paired t-test rejects a zero difference at the 5 % level; undefined for one seed. */
  readonly significant: boolean | undefined
}

export interface ReportRow {
  readonly corpus: string
  readonly lang: string
  readonly sourceSize: number
  readonly method: string
  /**
   * The row's values of the spec fields that tell variants of a cell apart (`variantFields`), by
   * dotted path; the same fields, in the same order, in every row of a report.
   */
  readonly variant: Readonly<Record<string, string>>
  /** The `result.json` files averaged into the row. */
  readonly files: ReadonlyArray<string>
  /** D_TGT's source where it is not MulDA's published sets (the paper's kind of data). */
  readonly translations?: TranslationSource
  /** How the cell's translations differ from the paper's (`translationDeviations`); absent when they do not. */
  readonly deviations?: ReadonlyArray<string>
  readonly protocol: string
  readonly model: string
  /** Whose F1 this is: the student's for KD methods. */
  readonly stage: "teacher" | "student"
  /** For KD methods, their teachers' test F1 over the same seeds (each in `f1s`): what distillation started from. */
  readonly teacher?: {
    readonly mean: number
    readonly std: number | undefined
    readonly f1s: ReadonlyArray<number>
  }
  readonly seeds: ReadonlyArray<number>
  /** Test F1 of each seed, in the order of `seeds`. */
  readonly f1s: ReadonlyArray<number>
  readonly n: number
  /** Test F1 in percent, as the paper reports it. */
  readonly mean: number
  readonly std: number | undefined
  readonly paper: ReadonlyArray<PaperValue>
  readonly vsEn: Versus | undefined
  /** The difference from MulDA (En+Trans), for the methods the paper claims beat it. */
  readonly vsMulda: Versus | undefined
  /**
   * The row's mean test F1 as a percentage of the in-language ceiling's (`tgt`) for the same corpus,
   * language, size, protocol and encoder (the same variant where it has one); undefined for the
   * ceiling itself and where it has no runs.
   */
  readonly ofCeiling: number | undefined
}

const methodOrder = (m: string) => {
  const i = Object.keys(paperObjectives).indexOf(m)
  return i < 0 ? Number.MAX_SAFE_INTEGER : i
}

const settingKey = (r: {
  corpus: string
  lang: string
  sourceSize: number
  protocol: string
  model: string
}) => JSON.stringify([r.corpus, r.lang, r.sourceSize, r.protocol, r.model])

/** D_TGT's source unless it is MulDA's published set or absent (runs from before engines). */
const otherSource = (r: { readonly translations?: TranslationSource | undefined }) =>
  r.translations === "mulda" ? undefined : r.translations

/** What runs share to be averaged into one report row: the setting, the method and any other D_TGT source. */
export const cellKey = (r: {
  corpus: string
  lang: string
  sourceSize: number
  protocol: string
  model: string
  method: string
  translations?: TranslationSource | undefined
}): string => {
  const source = otherSource(r)
  return JSON.stringify([
    settingKey(r),
    r.method,
    ...(source === undefined ? [] : [translationLabel(source)])
  ])
}

const sourceFields = (r: RunResult) => {
  const translations = otherSource(r)
  const deviations = translationDeviations({ corpus: r.corpus, lang: r.lang, translations: r.translations })
  return {
    ...(translations === undefined ? {} : { translations }),
    ...(deviations.length === 0 ? {} : { deviations })
  }
}

const sourceName = (r: ReportRow) => (r.translations === undefined ? "" : translationLabel(r.translations))

/** Per-seed F1s with their mean and sample std. */
const scores = (f1s: ReadonlyArray<number>) => ({ ...meanStd(f1s), f1s })

/** Groups results into report rows (fails on a seed counted twice). */
export const summarizeResults = (found: ReadonlyArray<FoundResult>) =>
  Effect.gen(function* () {
    const fields = variantFields(
      found,
      (f) => cellKey(f.result),
      (f) => f.spec
    )
    const groups = new Map<string, Array<FoundResult>>()
    for (const f of found) {
      const r = f.result
      const key = JSON.stringify([cellKey(r), variantOf(f.spec, fields)])
      const group = groups.get(key) ?? []
      const same = group.find((g) => g.result.seed === r.seed)
      if (same) return yield* new DuplicateResult({ first: same.file, second: f.file })
      group.push(f)
      groups.set(key, group)
    }
    const rows = [...groups.values()].map((unordered) => {
      const group = [...unordered].sort((a, b) => a.result.seed - b.result.seed)
      const first = group[0]!.result
      // result.json holds conlleval percentages (0–100)
      const f1s = group.map(({ result: r }) => (r.student ?? r).test.f1)
      return {
        corpus: first.corpus,
        lang: first.lang,
        sourceSize: first.sourceSize,
        method: first.method,
        variant: variantOf(group[0]!.spec, fields),
        files: group.map((g) => g.file),
        ...sourceFields(first),
        protocol: first.protocol,
        model: first.model,
        stage: first.student ? ("student" as const) : ("teacher" as const),
        ...(first.student ? { teacher: scores(group.map(({ result: r }) => r.test.f1)) } : {}),
        seeds: group.map((g) => g.result.seed),
        n: group.length,
        ...scores(f1s),
        paper: paperF1(first.corpus, first.lang, first.sourceSize, first.method)
      }
    })
    type Summary = (typeof rows)[number]
    // the row of `method` a row is compared with: the same setting, the same variant where there is one
    const counterpart = (method: string) => {
      const of = rows.filter((r) => r.method === method)
      return (r: Summary): Summary | undefined => {
        if (r.method === method) return undefined
        const same = of.filter((o) => settingKey(o) === settingKey(r))
        return same.find((o) => JSON.stringify(o.variant) === JSON.stringify(r.variant)) ?? same[0]
      }
    }
    const versus = (method: string) => {
      const of = counterpart(method)
      return (r: Summary): Versus | undefined => {
        const base = of(r)
        return base === undefined ? undefined : pairedDifference(r, base)
      }
    }
    const vsEn = versus("en")
    const vsMulda = versus("mulda")
    const ceiling = counterpart(CEILING_METHOD)
    return rows
      .map(
        (r): ReportRow => ({
          ...r,
          vsEn: r.method === CEILING_METHOD ? undefined : vsEn(r),
          vsMulda: r.method === "en" || r.method === CEILING_METHOD ? undefined : vsMulda(r),
          ofCeiling: Option.getOrUndefined(
            Option.map(Option.fromNullable(ceiling(r)), (c) => (100 * r.mean) / c.mean)
          )
        })
      )
      .sort(
        (a, b) =>
          a.protocol.localeCompare(b.protocol) ||
          a.model.localeCompare(b.model) ||
          a.corpus.localeCompare(b.corpus) ||
          a.sourceSize - b.sourceSize ||
          methodOrder(a.method) - methodOrder(b.method) ||
          a.method.localeCompare(b.method) ||
          sourceName(a).localeCompare(sourceName(b)) ||
          JSON.stringify(a.variant).localeCompare(JSON.stringify(b.variant), undefined, { numeric: true }) ||
          a.lang.localeCompare(b.lang)
      )
  })

/**
 * Two-sided 5 % critical values of Student's t for 1–30 degrees of freedom, to 3 decimals
 * (`[round(scipy.stats.t.ppf(0.975, d), 3) for d in range(1, 31)]`); past 30 the value for 30, a
 * slightly conservative test. A table, not a dependency: the npm package with a t quantile
 * (@stdlib) brings 223 packages for these 30 numbers.
 */
const T_975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042
]

/** The two-sided 5 % critical value of Student's t with `df` ≥ 1 degrees of freedom (see `T_975`). */
export const tCritical95 = (df: number): number => T_975[Math.min(df, T_975.length) - 1]!

/** `a` − `b` over the seeds both have (see `Versus`); undefined when they share none. */
export const pairedDifference = (
  a: { readonly seeds: ReadonlyArray<number>; readonly f1s: ReadonlyArray<number> },
  b: { readonly seeds: ReadonlyArray<number>; readonly f1s: ReadonlyArray<number> }
): Versus | undefined => {
  const seeds = a.seeds.filter((s) => b.seeds.includes(s)).sort((x, y) => x - y)
  if (seeds.length === 0) return undefined
  const f1 = (x: typeof a, seed: number) => x.f1s[x.seeds.indexOf(seed)]!
  const { mean, std } = meanStd(seeds.map((s) => f1(a, s) - f1(b, s)))
  const se = std === undefined ? undefined : std / Math.sqrt(seeds.length)
  const significant = se === undefined ? undefined : Math.abs(mean) > tCritical95(seeds.length - 1) * se
  return { diff: mean, se, seeds, significant }
}

const f2 = (x: number) => x.toFixed(2)
const signed = (x: number) => `${x >= 0 ? "+" : ""}${f2(x)}`

/** `mean ± std`, or the mean alone for one seed. */
export const meanText = (m: { readonly mean: number; readonly std: number | undefined }) =>
  m.std === undefined ? f2(m.mean) : `${f2(m.mean)} ± ${f2(m.std)}`

/** The stage column: whose F1, and for a student its teachers' F1. */
export const stageText = (r: ReportRow): string =>
  r.teacher === undefined ? r.stage : `${r.stage} (teacher ${meanText(r.teacher)})`

/** `+d ± se (k)`, k the seeds both rows have, marked `n.s.` where the paired t-test does not tell it from zero. */
export const versusText = (v: Versus | undefined) =>
  v === undefined
    ? ""
    : v.se === undefined
      ? `${signed(v.diff)} (1, no se)`
      : `${signed(v.diff)} ± ${f2(v.se)} (${v.seeds.length}${v.significant ? "" : ", n.s."})`

/** What the difference columns hold, for the reports' captions. */
export const versusNote =
  "Δ: the difference from en (mulda) within each seed both rows have, mean ± standard error " +
  "(and how many seeds); n.s.: a paired t-test does not reject a zero difference at the 5 % level."

/** What the ceiling column holds, for the reports' captions. */
export const ceilingNote =
  "% of ceiling: the row's mean test F1 over that of the in-language ceiling (trained on gold " +
  "target-language sentences) for the same target and size."

/** A percentage of the ceiling as the reports show it (one decimal). */
export const ceilingText = (r: ReportRow): string => (r.ofCeiling === undefined ? "" : r.ofCeiling.toFixed(1))

/** A row's method as the tables name it: its label, and any D_TGT source besides MulDA's. */
export const methodText = (r: ReportRow): string =>
  r.translations === undefined ? methodLabel(r.method) : `${methodLabel(r.method)} [${sourceName(r)}]`

/** The variant fields of a report's rows (the same in each), in column order. */
export const variantColumns = (rows: ReadonlyArray<ReportRow>): Array<string> =>
  rows.length === 0 ? [] : Object.keys(rows[0]!.variant)

/** The cells naming a row in the text tables: size, method, target, then its variant values. */
const nameCells = (r: ReportRow, fields: ReadonlyArray<string>) => [
  String(r.sourceSize),
  methodText(r),
  r.lang,
  ...fields.map((f) => r.variant[f] ?? "–")
]

/** Variant fields as column heads: the last part of each path (`maxSteps`) where that is unambiguous. */
export const variantHeads = (fields: ReadonlyArray<string>): Array<string> => {
  const last = fields.map((f) => f.slice(f.lastIndexOf(".") + 1))
  return fields.map((f, i) => (last.filter((l) => l === last[i]).length === 1 ? last[i]! : f))
}

const nameHead = (fields: ReadonlyArray<string>) => ["size", "method", "lang", ...variantHeads(fields)]
const nameAlign = (fields: ReadonlyArray<string>): Array<Align> => [
  "right",
  "left",
  "left",
  ...fields.map((): Align => "left")
]

/** The paper's number(s) for a row, `–` for none. */
const paperText = (r: ReportRow) => [...new Set(r.paper.map((p) => f2(p.f1)))].join(" / ") || "–"

/** Each seed's test F1 of a section's rows, one column per seed any of them has; a KD method's teachers on a row of their own. */
const seedTable = (section: ReadonlyArray<ReportRow>, fields: ReadonlyArray<string>): TextTable => {
  const seeds = [...new Set(section.flatMap((r) => r.seeds))].sort((a, b) => a - b)
  const cells = (r: ReportRow, f1s: ReadonlyArray<number>) =>
    seeds.map((s) => (r.seeds.includes(s) ? f2(f1s[r.seeds.indexOf(s)]!) : ""))
  return {
    head: [...nameHead(fields), ...seeds.map((s) => `seed ${s}`)],
    align: [...nameAlign(fields), ...seeds.map((): Align => "right")],
    rows: section.flatMap((r) => {
      const name = nameCells(r, fields)
      const own = [...name, ...cells(r, r.f1s)]
      return r.teacher === undefined
        ? [own]
        : [own, [name[0]!, `${name[1]} (teacher)`, ...name.slice(2), ...cells(r, r.teacher.f1s)]]
    })
  }
}

/** Prose wrapped at `width` columns (words kept whole). */
export const wrapText = (text: string, width = 100): string => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && textWidth(line) + 1 + textWidth(word) > width) {
      lines.push(line)
      line = word
    } else line = line === "" ? word : `${line} ${word}`
  }
  return [...lines, line].join("\n")
}

/** The rows in sections, one per (protocol, encoder, corpus), in report order. */
export const reportSections = (rows: ReadonlyArray<ReportRow>): Array<Array<ReportRow>> => {
  const sections = new Map<string, Array<ReportRow>>()
  for (const r of rows) {
    const key = JSON.stringify([r.protocol, r.model, r.corpus])
    sections.set(key, [...(sections.get(key) ?? []), r])
  }
  return [...sections.values()]
}

/** A section's heading: `CoNLL: protocol cpu, encoder models/concner-small`. */
export const sectionTitle = (r: ReportRow): string =>
  `${r.corpus === "conll" ? "CoNLL" : r.corpus === "wikiann" ? "WikiAnn" : r.corpus}: protocol ${r.protocol}, encoder ${r.model}`

/**
 * Markdown, aligned to be read in a terminal too (no line over 100 columns for the paper's methods
 * without variants): per (protocol, encoder, corpus) a table of means, one of the differences from
 * En and MulDA, and one by seed.
 */
export const formatReportMarkdown = (rows: ReadonlyArray<ReportRow>): string => {
  if (rows.length === 0) return "No result.json found."
  const fields = variantColumns(rows)
  return reportSections(rows)
    .map((section) => {
      const ceiling = section.some((r) => r.ofCeiling !== undefined)
      const kd = section.some((r) => r.teacher !== undefined)
      const means: TextTable = {
        head: [
          ...nameHead(fields),
          "test F1",
          "n",
          ...(kd ? ["teacher F1"] : []),
          "paper",
          ...(ceiling ? ["% of ceiling"] : [])
        ],
        align: [...nameAlign(fields), "right", "right", ...(kd ? ["right" as const] : []), "right", "right"],
        rows: section.map((r) => [
          ...nameCells(r, fields),
          `${meanText(r)}${r.deviations === undefined ? "" : " †"}`,
          String(r.n),
          ...(kd ? [r.teacher === undefined ? "" : meanText(r.teacher)] : []),
          paperText(r),
          ...(ceiling ? [ceilingText(r)] : [])
        ])
      }
      const compared = section.filter((r) => r.vsEn !== undefined || r.vsMulda !== undefined)
      const differences: TextTable = {
        head: [...nameHead(fields), "Δ vs en ± se", "Δ vs mulda ± se"],
        align: [...nameAlign(fields), "right", "right"],
        rows: compared.map((r) => [...nameCells(r, fields), versusText(r.vsEn), versusText(r.vsMulda)])
      }
      const notes = [...new Set(section.flatMap((r) => r.deviations ?? []))].map((d) => wrapText(`† ${d}.`))
      return [
        `## ${sectionTitle(section[0]!)}`,
        "",
        wrapText(
          "Test F1 (%), mean ± sample std over seeds (n); for KD methods the student's, with its teacher's " +
            "beside it. paper: mBERT, paper protocol, 5 seeds (Tables 3–5 agree where several report a cell)." +
            (ceiling ? ` ${ceilingNote}` : "") +
            (fields.length > 0
              ? ` Variants: runs of a cell whose specs differ in ${fields.join(", ")}, one row per value.`
              : "")
        ),
        "",
        markdownTable(means),
        ...(notes.length > 0 ? ["", ...notes] : []),
        ...(compared.length > 0 ? ["", wrapText(versusNote), "", markdownTable(differences)] : []),
        "",
        "Test F1 (%) by seed.",
        "",
        markdownTable(seedTable(section, fields))
      ].join("\n")
    })
    .join("\n\n")
}

/** JSON: rows as plain values (an undefined std or se becomes null). */
export const reportJson = (rows: ReadonlyArray<ReportRow>) =>
  rows.map(({ files: _, ...r }) => ({
    ...r,
    ofCeiling: r.ofCeiling ?? null,
    std: r.std ?? null,
    teacher:
      r.teacher === undefined
        ? null
        : { mean: r.teacher.mean, std: r.teacher.std ?? null, f1s: r.teacher.f1s },
    vsEn: versusJson(r.vsEn),
    vsMulda: versusJson(r.vsMulda)
  }))

const versusJson = (v: Versus | undefined) =>
  v === undefined
    ? null
    : { diff: v.diff, se: v.se ?? null, seeds: v.seeds, significant: v.significant ?? null }

/** Collects, groups and returns the rows of the runs under `dir`. */
export const reportDir = Effect.fn("Report.dir")(function* (dir: string) {
  return yield* summarizeResults(yield* collectResults(dir))
})
