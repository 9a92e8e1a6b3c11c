import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import * as csStudy from "../../experiments/cs-study.js"
import * as quickstart from "../../experiments/quickstart.js"
import * as sizeStudy from "../../experiments/size-study.js"
import * as table3 from "../../experiments/table3.js"
import * as table4 from "../../experiments/table4.js"
import * as table5CpuDe from "../../experiments/table5-cpu-de.js"
import * as table5CpuEsNl from "../../experiments/table5-cpu-es-nl.js"
import * as table5 from "../../experiments/table5.js"
import * as translationEngines from "../../experiments/translation-engines.js"
import * as wikiann27 from "../../experiments/wikiann27.js"
import {
  type Grid,
  GridIncomplete,
  GridInvalid,
  decodeGrid,
  expandGrid,
  formatOutcomes,
  specHash,
  targetsOf
} from "../../src/experiment/grid.js"
import { RunResult } from "../../src/experiment/result.js"
import { tinyProtocol } from "../support/runs.js"

const protocol = tinyProtocol(60)

const bigGrid: Grid = {
  name: "big",
  sourceSizes: [500, 1000],
  methods: ["en", "mulda", "concner"],
  targets: [...targetsOf("conll", ["de"]), ...targetsOf("wikiann", ["ar"])],
  seeds: [1, 2],
  translations: "mulda"
}

describe("expandGrid", () => {
  it.effect("expands sizes × methods × targets × seeds, translation methods off CoNLL unavailable", () =>
    Effect.gen(function* () {
      const cells = yield* expandGrid(bigGrid, { out: "/runs", protocol, model: "/models/m" })
      expect(cells).toHaveLength(2 * 3 * 2 * 2)
      const unavailable = cells.filter((c) => c._tag === "Unavailable")
      expect(unavailable.map((c) => `${c.method}/${c.corpus}-${c.lang}`).sort()).toEqual([
        ...Array(4).fill("concner/wikiann-ar"),
        ...Array(4).fill("mulda/wikiann-ar")
      ])
      expect(unavailable[0]?._tag === "Unavailable" && unavailable[0].reason).toMatch(
        /needs labeled translations into ar/
      )
      const runnable = cells.flatMap((c) => (c._tag === "Runnable" ? [c] : []))
      expect(new Set(runnable.map((c) => c.runDir)).size).toBe(runnable.length)
      expect(new Set(runnable.map((c) => c.specSha256)).size).toBe(runnable.length)
      const first = runnable[0]!
      expect(first.runDir).toBe("/runs/conll/en/de/500/seed-1")
      expect(first.spec.method.name).toBe("en")
      expect(first.spec.model).toBe("/models/m")
      expect(first.specSha256).toBe(specHash(first.spec))
      // seed-major within a size: a grid stopped part-way holds whole seeds (3 methods × 2 targets each)
      for (const size of bigGrid.sourceSizes)
        expect(cells.filter((c) => c.sourceSize === size).map((c) => c.seed)).toEqual([
          ...Array(6).fill(1),
          ...Array(6).fill(2)
        ])
    })
  )

  it.effect("needs a protocol and a model", () =>
    Effect.gen(function* () {
      const noProtocol = yield* Effect.exit(expandGrid(bigGrid, { out: "/runs", model: "/m" }))
      expect(noProtocol).toStrictEqual(Exit.fail(new GridIncomplete({ grid: "big", missing: "protocol" })))
      const noModel = yield* Effect.exit(expandGrid(bigGrid, { out: "/runs", protocol }))
      expect(noModel).toStrictEqual(Exit.fail(new GridIncomplete({ grid: "big", missing: "model" })))
    })
  )

  it.effect(
    "records a given model as given (the shipped encoder package-relative), the grid's resolved",
    () =>
      Effect.gen(function* () {
        const specsOf = (
          cells: ReadonlyArray<{ readonly _tag: string; readonly spec?: { model: string } }>
        ) => [...new Set(cells.flatMap((c) => (c.spec === undefined ? [] : [c.spec.model])))]
        const given = yield* expandGrid(bigGrid, { out: "/runs", protocol, model: "models/concner-small" })
        expect(specsOf(given)).toEqual(["models/concner-small"])
        const own = yield* expandGrid({ ...bigGrid, model: "encoders/mine" }, { out: "/runs", protocol })
        expect(specsOf(own)).toEqual([path.resolve("encoders/mine")])
      })
  )
})

describe("formatOutcomes", () => {
  it.effect("prints each cell's final test F1 as recorded (percent): the student's for KD methods", () =>
    Effect.gen(function* () {
      const grid: Grid = { ...bigGrid, sourceSizes: [500], methods: ["en", "concner"], seeds: [1] }
      const [en, , concner, arConcner] = yield* expandGrid(grid, { out: "/runs", protocol, model: "/m" })
      const stage = (f1: number) => ({
        dev: { f1: 50, step: 10 },
        test: { f1, precision: f1, recall: f1, byType: {} },
        steps: 20,
        unpredictedTestWords: 0
      })
      const result = (method: string, teacher: number, student?: number) =>
        RunResult.make({
          method,
          lang: "de",
          corpus: "conll",
          sourceSize: 500,
          seed: 1,
          protocol: "cpu",
          model: "/m",
          ...stage(teacher),
          ...(student === undefined ? {} : { student: stage(student) }),
          testSentences: 3000,
          missingTranslations: 0,
          seconds: 1
        })
      if (en?._tag !== "Runnable" || concner?._tag !== "Runnable" || arConcner?._tag !== "Unavailable")
        throw new Error("unexpected cells")
      expect(
        formatOutcomes([
          { cell: en, status: "ran", result: result("en", 8.07) },
          { cell: concner, status: "skipped", result: result("concner", 9.5, 11.25) },
          { cell: arConcner, status: "unavailable" }
        ]).split("\n")
      ).toEqual([
        "conll en de 500 seed 1: ran, test F1 8.07",
        "conll concner de 500 seed 1: skipped, test F1 11.25",
        `wikiann concner ar 500 seed 1: unavailable (${arConcner.reason})`
      ])
    })
  )
})

describe("experiment files", () => {
  const count = (cells: ReadonlyArray<{ readonly _tag: string }>) => ({
    cells: cells.length,
    unavailable: cells.filter((c) => c._tag === "Unavailable").length
  })

  it.effect(
    "default-export grids of the paper's tables, translation cells without a source unavailable",
    () =>
      Effect.gen(function* () {
        const expand = (module: { default: unknown }, file: string) =>
          Effect.flatMap(decodeGrid(module.default, file), (grid) =>
            expandGrid(grid, { out: "/runs", protocol, model: "/m" })
          )
        // 3 sizes × 4 methods × 6 targets × 5 seeds; mulda and concner on ar/hi/zh through the dictionary
        const t3 = yield* expand(table3, "table3.ts")
        expect(count(t3)).toEqual({ cells: 360, unavailable: 0 })
        const arConcner = t3.find((c) => c.lang === "ar" && c.method === "concner")
        expect(arConcner?._tag === "Runnable" && arConcner.spec.translations).toEqual({
          engine: "dictionary"
        })
        expect(arConcner?._tag === "Runnable" && arConcner.runDir).toBe(
          "/runs/wikiann/concner/ar+dictionary/500/seed-1"
        )
        // En does not train on translations: its spec keeps the grid's source (and the hash it always had)
        const arEn = t3.find((c) => c.lang === "ar" && c.method === "en")
        expect(arEn?._tag === "Runnable" && [arEn.spec.translations, arEn.runDir]).toEqual([
          "mulda",
          "/runs/wikiann/en/ar/500/seed-1"
        ])
        // every ablation trains on translations
        expect(count(yield* expand(table4, "table4.ts"))).toEqual({ cells: 150, unavailable: 0 })
        expect(count(yield* expand(table5, "table5.ts"))).toEqual({ cells: 315, unavailable: 0 })
        const wikiann = yield* expand(wikiann27, "wikiann27.ts")
        // MUSE has no dictionary for 11 of the 28 languages
        expect(count(wikiann)).toEqual({ cells: 4 * 28 * 5, unavailable: 2 * 11 * 5 })
        expect(
          [...new Set(wikiann.flatMap((c) => (c._tag === "Unavailable" ? [c.lang] : [])))].sort()
        ).toEqual(["eu", "jv", "ka", "kk", "ml", "mr", "my", "sw", "te", "ur", "yo"])
        expect(new Set(wikiann.map((c) => c.lang)).has("en")).toBe(false)
        const quick = yield* decodeGrid(quickstart.default, "quickstart.ts")
        expect(quick.protocol?.name).toBe("quickstart")
        // issue 11's results grid: German 7 methods × 5 seeds, Spanish and Dutch 3 methods × 5 seeds
        expect(count(yield* expand(table5CpuDe, "table5-cpu-de.ts"))).toEqual({ cells: 35, unavailable: 0 })
        expect(count(yield* expand(table5CpuEsNl, "table5-cpu-es-nl.ts"))).toEqual({
          cells: 30,
          unavailable: 0
        })
        const size = yield* decodeGrid(sizeStudy.default, "size-study.ts")
        expect([size.protocol?.epochs, size.protocol?.kdEpochs, size.seeds]).toEqual([8, 1, [1, 2, 3]])
        // the code-switching study: En on three targets, 3 seeds
        expect(count(yield* expand(csStudy, "cs-study.ts"))).toEqual({ cells: 9, unavailable: 0 })
      })
  )

  it.effect("translation-engines: MulDA and ConCNER on Spanish from four D_TGT sources", () =>
    Effect.gen(function* () {
      const grid = yield* decodeGrid(translationEngines.default, "translation-engines.ts")
      const cells = yield* expandGrid(grid, { out: "/runs", protocol, model: "/m" })
      // 2 methods × 4 sources × 5 seeds, all runnable
      expect(count(cells)).toEqual({ cells: 40, unavailable: 0 })
      const runnable = cells.flatMap((c) => (c._tag === "Runnable" ? [c] : []))
      expect(new Set(runnable.map((c) => c.specSha256)).size).toBe(40)
      expect(runnable.filter((c) => c.seed === 1).map((c) => [c.runDir, c.spec.translations])).toEqual([
        ["/runs/conll/mulda/es/1000/seed-1", "mulda"],
        ["/runs/conll/mulda/es+deepl-awesome/1000/seed-1", "deepl-awesome"],
        ["/runs/conll/mulda/es+apertium/1000/seed-1", { engine: "apertium" }],
        ["/runs/conll/mulda/es+dictionary/1000/seed-1", { engine: "dictionary" }],
        ["/runs/conll/concner/es/1000/seed-1", "mulda"],
        ["/runs/conll/concner/es+deepl-awesome/1000/seed-1", "deepl-awesome"],
        ["/runs/conll/concner/es+apertium/1000/seed-1", { engine: "apertium" }],
        ["/runs/conll/concner/es+dictionary/1000/seed-1", { engine: "dictionary" }]
      ])
      expect(runnable.every((c) => c.sourceSize === 1000 && c.lang === "es" && c.corpus === "conll")).toBe(
        true
      )
      expect(grid.targets[2]).toEqual({ corpus: "conll", lang: "es", translations: { engine: "apertium" } })
    })
  )

  it.effect(
    "a method without translations runs once per target language, whatever sources the targets name",
    () =>
      Effect.gen(function* () {
        const grid: Grid = {
          name: "sources",
          sourceSizes: [500],
          methods: ["en", "mulda"],
          targets: [...targetsOf("conll", ["de"]), ...targetsOf("conll", ["de"], { engine: "apertium" })],
          seeds: [1],
          translations: "mulda"
        }
        const cells = yield* expandGrid(grid, { out: "/runs", protocol, model: "/m" })
        expect(cells.map((c) => (c._tag === "Runnable" ? c.runDir : c.reason))).toEqual([
          "/runs/conll/en/de/500/seed-1",
          "/runs/conll/mulda/de/500/seed-1",
          "/runs/conll/mulda/de+apertium/500/seed-1"
        ])
      })
  )

  it.effect("a target's translation source is decoded with the grid", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        decodeGrid(
          {
            ...table5.default,
            targets: [{ corpus: "conll", lang: "es", translations: { engine: "google" } }]
          },
          "bad.ts"
        )
      )
      expect(Exit.isFailure(exit) && Cause.squash(exit.cause)).toBeInstanceOf(GridInvalid)
      expect(Exit.isFailure(exit) && (Cause.squash(exit.cause) as GridInvalid).reason).toMatch(
        /targets\.0\.translations\.engine: Expected "dictionary" \| "apertium" \| "command", actual "google"/
      )
    })
  )

  it.effect("a default export that is not a grid fails naming the file and the field", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(decodeGrid({ ...table5.default, sourceSizes: [0] }, "bad.ts"))
      expect(exit).toStrictEqual(
        Exit.fail(
          new GridInvalid({
            file: "bad.ts",
            reason: "the default export is not a grid: sourceSizes.0: Expected a positive number, actual 0"
          })
        )
      )
    })
  )
})
