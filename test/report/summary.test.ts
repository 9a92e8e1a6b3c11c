import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, FastCheck as fc } from "effect"
import { CellFileInvalid } from "../../src/experiment/grid.js"
import { RunResult } from "../../src/experiment/result.js"
import { paperF1, paperRows } from "../../src/report/paperTables.js"
import {
  DuplicateResult,
  formatReportMarkdown,
  meanStd,
  pairedDifference,
  reportDir,
  reportJson,
  tCritical95,
  versusText
} from "../../src/report/summary.js"
import { concner } from "../support/cli.js"

const runs = Number(process.env.CONCNER_PROP_RUNS ?? 100)

/** Markdown with its alignment padding squeezed to single spaces. */
const squeeze = (markdown: string) => markdown.replace(/ {2,}/g, " ")

const stage = (f1: number) => ({
  dev: { f1: 50, step: 10 },
  test: { f1, precision: f1, recall: f1, byType: {} },
  steps: 20,
  unpredictedTestWords: 0
})

const result = (
  method: string,
  seed: number,
  f1: number,
  options: { student?: number; sourceSize?: number } = {}
) =>
  RunResult.make({
    method,
    lang: "de",
    corpus: "conll",
    sourceSize: options.sourceSize ?? 500,
    seed,
    protocol: "cpu",
    model: "/models/tiny",
    ...stage(f1),
    ...(options.student !== undefined ? { student: stage(options.student) } : {}),
    testSentences: 3000,
    missingTranslations: 0,
    seconds: 1
  })

/** Writes each result as OUT/<method>/<seed>/result.json. */
const writeRuns = (dir: string, results: ReadonlyArray<RunResult>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    for (const r of results) {
      const runDir = path.join(dir, r.method, String(r.sourceSize), `seed-${r.seed}`)
      yield* fs.makeDirectory(runDir, { recursive: true })
      yield* fs.writeFileString(path.join(runDir, "result.json"), JSON.stringify(r))
    }
  })

const sample = [
  result("en", 1, 70),
  result("en", 2, 72),
  result("en", 3, 74),
  // KD methods are reported by their student, with their teacher beside it
  result("concner", 1, 50, { student: 80 }),
  result("concner", 2, 52, { student: 84 }),
  result("mulda", 1, 71, { sourceSize: 1000 })
]

describe("meanStd", () => {
  it("is the mean and the sample (n − 1) standard deviation", () => {
    expect(meanStd([70, 72, 74])).toEqual({ mean: 72, std: 2 })
    expect(meanStd([5])).toEqual({ mean: 5, std: undefined })
    const { mean, std } = meanStd([1, 2, 3, 4])
    expect(mean).toBe(2.5)
    expect(std).toBeCloseTo(Math.sqrt(5 / 3), 12)
  })

  it.prop(
    "shifting every value shifts the mean and keeps the std",
    [
      fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 2, maxLength: 10 }),
      fc.double({ min: -50, max: 50, noNaN: true })
    ],
    ([xs, c]) => {
      const a = meanStd(xs)
      const b = meanStd(xs.map((x) => x + c))
      expect(b.mean).toBeCloseTo(a.mean + c, 8)
      expect(b.std!).toBeCloseTo(a.std!, 6)
      expect(a.std!).toBeGreaterThanOrEqual(0)
    },
    { fastCheck: { numRuns: runs, seed: 42 } }
  )
})

describe("pairedDifference", () => {
  /** Seeds 1..n with F1s in [0, 100], listed in a shuffled order. */
  const runsOf = (min: number) =>
    fc
      .array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: min, maxLength: 8 })
      .chain((f1s) =>
        fc.shuffledSubarray(
          f1s.map((f1, i) => ({ seed: i + 1, f1 })),
          { minLength: f1s.length, maxLength: f1s.length }
        )
      )
      .map((xs) => ({ seeds: xs.map((x) => x.seed), f1s: xs.map((x) => x.f1) }))
  const close = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? expect(a).toBe(b) : expect(a).toBeCloseTo(b, 8)

  it.prop(
    "agrees with the naive mean and standard error of the within-seed differences",
    [runsOf(1), runsOf(1)],
    ([a, b]) => {
      const shared = a.seeds.filter((s) => b.seeds.includes(s)).sort((x, y) => x - y)
      const diffs = shared.map((s) => a.f1s[a.seeds.indexOf(s)]! - b.f1s[b.seeds.indexOf(s)]!)
      const mean = diffs.reduce((x, y) => x + y, 0) / diffs.length
      const se =
        diffs.length < 2
          ? undefined
          : Math.sqrt(diffs.reduce((x, d) => x + (d - mean) ** 2, 0) / (diffs.length - 1) / diffs.length)
      const v = pairedDifference(a, b)!
      expect(v.seeds).toEqual(shared)
      close(v.diff, mean)
      close(v.se, se)
    },
    { fastCheck: { numRuns: runs, seed: 42 } }
  )

  it.prop(
    "is antisymmetric, and blind to a constant added to both and to the order of the seeds",
    [runsOf(2), runsOf(2), fc.double({ min: -50, max: 50, noNaN: true })],
    ([a, b, c]) => {
      const ab = pairedDifference(a, b)!
      const ba = pairedDifference(b, a)!
      close(ba.diff, -ab.diff)
      close(ba.se, ab.se)
      const shift = (x: typeof a) => ({ seeds: x.seeds, f1s: x.f1s.map((f) => f + c) })
      close(pairedDifference(shift(a), shift(b))!.diff, ab.diff)
      const reversed = (x: typeof a) => ({ seeds: [...x.seeds].reverse(), f1s: [...x.f1s].reverse() })
      close(pairedDifference(reversed(a), b)!.diff, ab.diff)
      close(pairedDifference(reversed(a), b)!.se, ab.se)
    },
    { fastCheck: { numRuns: runs, seed: 42 } }
  )

  it("counts only the seeds both have, and none shared is no comparison", () => {
    const a = { seeds: [1, 2, 3], f1s: [10, 20, 99] }
    const b = { seeds: [1, 2, 5], f1s: [5, 13, 0] }
    expect(pairedDifference(a, b)).toEqual({ diff: 6, se: 1, seeds: [1, 2], significant: false })
    expect(pairedDifference(a, { seeds: [4], f1s: [1] })).toBeUndefined()
    // a shared seed that moves both rows equally changes nothing: the seed's variance cancels
    expect(pairedDifference({ seeds: [1, 2], f1s: [10, 40] }, { seeds: [1, 2], f1s: [5, 35] })).toEqual({
      diff: 5,
      se: 0,
      seeds: [1, 2],
      significant: true
    })
    expect(pairedDifference({ seeds: [7], f1s: [10] }, { seeds: [7], f1s: [5] })).toEqual({
      diff: 5,
      se: undefined,
      seeds: [7],
      significant: undefined
    })
  })

  it("tests the difference against Student's t with n − 1 degrees of freedom", () => {
    // 3 seeds, differences 1, 2, 3: mean 2, se 1/√3, t = 3.46 against t(2) = 4.303
    const three = pairedDifference(
      { seeds: [1, 2, 3], f1s: [11, 12, 13] },
      { seeds: [1, 2, 3], f1s: [10, 10, 10] }
    )!
    expect(three.significant).toBe(false)
    expect(versusText(three)).toBe("+2.00 ± 0.58 (3, n.s.)")
    // 5 seeds, differences 1, 2, 3, 2, 2: mean 2, se 0.316, t = 6.3 against t(4) = 2.776
    const five = pairedDifference(
      { seeds: [1, 2, 3, 4, 5], f1s: [1, 2, 3, 2, 2] },
      { seeds: [1, 2, 3, 4, 5], f1s: [0, 0, 0, 0, 0] }
    )!
    expect(five.significant).toBe(true)
    expect(versusText(five)).toBe("+2.00 ± 0.32 (5)")
    // the critical values fall with the degrees of freedom towards the normal's 1.96, and stay at df 30's past it
    const ts = Array.from({ length: 40 }, (_, i) => tCritical95(i + 1))
    expect(ts.slice(0, 5)).toEqual([12.706, 4.303, 3.182, 2.776, 2.571])
    for (let i = 1; i < ts.length; i++) expect(ts[i]!).toBeLessThanOrEqual(ts[i - 1]!)
    expect(ts[39]).toBe(2.042)
    expect(ts[39]!).toBeGreaterThan(1.96)
  })
})

describe("paper tables", () => {
  it("each transcribed row averages to the paper's avg column (to rounding)", () => {
    expect(paperRows).toHaveLength(12 + 5 + 21)
    for (const row of paperRows) {
      const values = Object.values(row.f1)
      const mean = values.reduce((a, b) => a + b, 0) / values.length
      expect(Math.abs(mean - row.avg), `${row.table} ${row.size} ${row.method}`).toBeLessThanOrEqual(0.011)
    }
  })

  it("looks a cell up across tables, by corpus", () => {
    expect(paperF1("conll", "de", 500, "en")).toEqual([
      { table: "table3", f1: 59.33 },
      { table: "table5", f1: 59.33 }
    ])
    expect(paperF1("wikiann", "zh", 1000, "concner-no-kd")).toEqual([{ table: "table4", f1: 46.37 }])
    expect(paperF1("wikiann", "de", 500, "en")).toEqual([])
  })
})

describe("report", () => {
  it.scoped("groups seeds per cell, with mean ± std, the paper's number and the difference with en", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* writeRuns(dir, sample)
      const rows = yield* reportDir(dir)
      expect(rows.map((r) => `${r.sourceSize}/${r.method}`)).toEqual(["500/en", "500/concner", "1000/mulda"])
      const [en, concner, mulda] = rows
      expect(en).toMatchObject({ n: 3, seeds: [1, 2, 3], stage: "teacher", vsEn: undefined })
      expect(en!.mean).toBeCloseTo(72, 10)
      expect(en!.std).toBeCloseTo(2, 10)
      expect(en!.paper.map((p) => p.f1)).toEqual([59.33, 59.33])
      expect(concner).toMatchObject({ n: 2, stage: "student" })
      expect(concner!.mean).toBeCloseTo(82, 10)
      expect(concner!.std).toBeCloseTo(Math.sqrt(8), 10)
      // paired by seed: 80 − 70 and 84 − 72, not 82 − 72 over different seeds
      expect(concner!.vsEn!.diff).toBeCloseTo(11, 10)
      expect(concner!.vsEn!.se).toBeCloseTo(1, 10)
      expect(concner!.vsEn!.seeds).toEqual([1, 2])
      expect(concner!.f1s).toEqual([80, 84])
      expect(mulda).toMatchObject({ n: 1, std: undefined, vsEn: undefined })
      expect(mulda!.paper).toEqual([{ table: "table3", f1: 65.29 }])

      const markdown = formatReportMarkdown(rows)
      // aligned for a terminal, within 100 columns; compared here with the padding squeezed out
      expect(Math.max(...markdown.split("\n").map((l) => [...l].length))).toBeLessThanOrEqual(100)
      const text = squeeze(markdown)
      expect(text).toContain("## CoNLL: protocol cpu, encoder /models/tiny")
      expect(text).toContain("| size | method | lang | test F1 | n | teacher F1 | paper |")
      expect(text).toContain("| 500 | en | de | 72.00 ± 2.00 | 3 | | 59.33 |")
      expect(text).toContain("| 500 | concner | de | 82.00 ± 2.83 | 2 | 51.00 ± 1.41 | 66.96 |")
      expect(text).toContain("| 1000 | mulda | de | 71.00 | 1 | | 65.29 |")
      // the differences, for the rows that have one
      expect(text).toContain("| 500 | concner | de | +11.00 ± 1.00 (2, n.s.) | |")
      expect(reportJson(rows)[2]).toMatchObject({ std: null, teacher: null, vsEn: null, vsMulda: null })
      // t = 11 with 1 degree of freedom: below 12.706, so not significant at 5 %
      expect(reportJson(rows)[1]!.vsEn).toEqual({ diff: 11, se: 1, seeds: [1, 2], significant: false })
      expect(reportJson(rows)[1]!.teacher).toEqual({ mean: 51, std: Math.sqrt(2), f1s: [50, 52] })
      // then each seed's F1, one column per seed any row has, the teachers' in brackets
      // a KD method's teachers on a row of their own
      const bySeed = text.slice(text.indexOf("| size | method | lang | seed 1"))
      expect(bySeed.split("\n").filter((l) => !l.startsWith("|-"))).toEqual([
        "| size | method | lang | seed 1 | seed 2 | seed 3 |",
        "| 500 | en | de | 70.00 | 72.00 | 74.00 |",
        "| 500 | concner | de | 80.00 | 84.00 | |",
        "| 500 | concner (teacher) | de | 50.00 | 52.00 | |",
        "| 1000 | mulda | de | 71.00 | | |"
      ])
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("gives the methods above MulDA their difference from it, with its standard error", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* writeRuns(dir, [...sample, result("mulda", 1, 75), result("mulda", 2, 78)])
      const rows = yield* reportDir(dir)
      const of = (method: string, size = 500) =>
        rows.find((r) => r.method === method && r.sourceSize === size)!
      expect(of("en").vsMulda).toBeUndefined()
      expect(of("mulda").vsMulda).toBeUndefined()
      expect(of("mulda", 1000).vsMulda).toBeUndefined()
      // within-seed differences 5 and 6 (concner − mulda), 5 and 6 (mulda − en)
      expect(of("concner").vsMulda!.diff).toBeCloseTo(5.5, 10)
      expect(of("concner").vsMulda!.se).toBeCloseTo(0.5, 10)
      expect(of("mulda").vsEn!.diff).toBeCloseTo(5.5, 10)
      expect(squeeze(formatReportMarkdown(rows))).toContain(
        "| 500 | concner | de | +11.00 ± 1.00 (2, n.s.) | +5.50 ± 0.50 (2, n.s.) |"
      )
      // one shared seed has no standard error; a difference within 2 se is flagged
      yield* writeRuns(path.join(dir, "more"), [
        result("en-lcl", 1, 70),
        result("trans", 1, 71),
        result("trans", 2, 76)
      ])
      const again = yield* reportDir(dir)
      const markdown = squeeze(formatReportMarkdown(again))
      expect(markdown).toContain("| en-lcl | de | 70.00 | 1 | |")
      expect(markdown).toContain("| en-lcl | de | +0.00 (1, no se) |")
      expect(markdown).toContain("| trans | de | +2.50 ± 1.50 (2, n.s.) |")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("another D_TGT source is a row of its own, marked as a deviation from the paper", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const withSource = (seed: number, f1: number, translations?: RunResult["translations"]) =>
        RunResult.make({ ...result("mulda", seed, f1), ...(translations ? { translations } : {}) })
      // a run from before engines (no source recorded) and one on MulDA's set share a row
      yield* writeRuns(path.join(dir, "old"), [withSource(1, 70)])
      yield* writeRuns(path.join(dir, "new"), [withSource(2, 72, "mulda")])
      yield* writeRuns(path.join(dir, "dict"), [withSource(1, 60, { engine: "dictionary" })])
      yield* writeRuns(path.join(dir, "apertium"), [withSource(1, 65, { engine: "apertium" })])
      const rows = yield* reportDir(dir)
      expect(rows.map((r) => [r.n, r.translations, r.deviations?.length])).toEqual([
        [2, undefined, undefined],
        [1, { engine: "apertium" }, 1],
        [1, { engine: "dictionary" }, 1]
      ])
      const markdown = squeeze(formatReportMarkdown(rows))
      expect(markdown).toContain("| 500 | mulda | de | 71.00 ± 1.41 | 2 | 62.55 |")
      expect(markdown).toContain("| 500 | mulda [dictionary] | de | 60.00 † | 1 | 62.55 |")
      expect(markdown).toContain("† D_TGT is a word-by-word MUSE dictionary translation into de")
      expect(markdown).toContain("† D_TGT is Apertium rule-based MT")
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("refuses a seed counted twice and names a malformed result.json", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* writeRuns(path.join(dir, "a"), [result("en", 1, 70)])
      yield* writeRuns(path.join(dir, "b"), [result("en", 1, 70)])
      expect(yield* Effect.exit(reportDir(dir))).toStrictEqual(
        Exit.fail(
          new DuplicateResult({
            first: path.join(dir, "a/en/500/seed-1/result.json"),
            second: path.join(dir, "b/en/500/seed-1/result.json")
          })
        )
      )
      const bad = path.join(dir, "b/en/500/seed-1/result.json")
      yield* fs.writeFileString(bad, '{"method": "en"}')
      // the files are read concurrently: the failure may come with the interruption of a sibling read
      const error = yield* Effect.flip(reportDir(dir))
      expect(error).toBeInstanceOf(CellFileInvalid)
      expect(error.message).toMatch(new RegExp(`^${bad}: `))
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped(
    "`concner report DIR --json` prints the rows",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        yield* writeRuns(dir, sample)
        const run = yield* concner(["report", dir, "--json"])
        expect(run.stderr).toBe("")
        expect(run.status).toBe(0)
        const rows = JSON.parse(run.stdout)
        expect(rows.map((r: { method: string; n: number }) => `${r.method}:${r.n}`)).toEqual([
          "en:3",
          "concner:2",
          "mulda:1"
        ])
        expect(rows[1].vsEn).toEqual({ diff: 11, se: 1, seeds: [1, 2], significant: false })
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )
})
