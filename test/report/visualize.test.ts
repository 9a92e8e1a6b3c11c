import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Corpora } from "../../src/data/Corpora.js"
import { conllTypes, labelSet } from "../../src/data/labels.js"
import { resultsSpec, tokenScatterSpec } from "../../src/report/charts.js"
import type { ReportRow } from "../../src/report/summary.js"
import { renderSvg, svgPage } from "../../src/report/svg.js"
import { projectTokens } from "../../src/report/tokenVectors.js"
import { tokenFigure } from "../../src/report/visualize.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { tf } from "../../src/runtime/tf.js"
import { dataRoot, hasData } from "../support/data.js"
import { writeTinyModel } from "../support/tinyModel.js"

const row = (lang: string, method: string, mean: number, std: number | undefined): ReportRow => ({
  corpus: "wikiann",
  lang,
  sourceSize: 1000,
  method,
  variant: {},
  files: [],
  protocol: "cpu",
  model: "/m",
  stage: "teacher",
  seeds: std === undefined ? [1] : [1, 2],
  // two seeds with this mean and sample std
  f1s: std === undefined ? [mean] : [mean - std / Math.SQRT2, mean + std / Math.SQRT2],
  n: std === undefined ? 1 : 2,
  mean,
  std,
  paper: [],
  vsEn: undefined,
  vsMulda: undefined,
  ofCeiling: undefined
})

/** The data marks vega drew, from their accessible labels. */
const labels = (svg: string) => [...svg.matchAll(/aria-label="([^"]*)"/g)].map((m) => m[1]!)

describe("plots", () => {
  it("draws one bar per language and method, with the mean as its height", async () => {
    const svg = await renderSvg(
      resultsSpec(
        [row("de", "en", 61.5, 2), row("de", "en-kd", 63.25, undefined), row("fr", "en", 55, 1)],
        "t"
      )
    )
    expect(svg.startsWith("<svg")).toBe(true)
    const bars = labels(svg).filter((l) => l.includes("test F1 (%): "))
    // one panel per language (the panels wrap), a bar per method within it
    expect(bars).toEqual([
      "method: en; test F1 (%): 61.5; lang: de; f1: 61.50; n: 2",
      "method: en-kd; test F1 (%): 63.25; lang: de; f1: 63.25; n: 1",
      "method: en; test F1 (%): 55; lang: fr; f1: 55.00; n: 2"
    ])
    // error bars: ± one std, none (zero length) for a single seed
    expect(labels(svg).filter((l) => l.includes("low: "))).toEqual([
      "method: en; low: 59.5; high: 63.5",
      "method: en-kd; low: 63.25; high: 63.25",
      "method: en; low: 54; high: 56"
    ])
  })

  it("draws every token as a point coloured by tag and shaped by language; HTML wraps the SVG", async () => {
    const points = ["en", "de"].flatMap((lang, i) =>
      ["B-PER", "B-LOC"].map((tag, j) => ({ lang, word: `${lang}${tag}`, tag, x: i, y: j }))
    )
    const svg = await renderSvg(tokenScatterSpec(points, "tokens <&>"))
    const drawn = labels(svg).filter((l) => l.includes("word: "))
    expect(drawn).toHaveLength(4)
    expect(drawn.some((l) => l.includes("label: B-LOC") && l.includes("language: de"))).toBe(true)
    const page = svgPage(svg, "tokens <&>")
    expect(page).toContain("<title>tokens &#60;&#38;&#62;</title>")
    expect(page).toContain(svg)
  })

  it("refuses to project fewer than 3 vectors", () => {
    expect(() => projectTokens([{ lang: "en", word: "a", tag: "O", vector: [1, 2] }], 1)).toThrow(
      /at least 3/
    )
  })
})

describe.skipIf(!hasData)("token figure on real data", () => {
  it.scoped(
    "takes up to N entity words per language, seeded: the same seed gives the same picture",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const corpora = yield* Corpora
        const text = [
          ...(yield* corpora.load({ corpus: "conll", lang: "en", split: "train" })).sentences.slice(0, 1000),
          ...(yield* corpora.load({ corpus: "conll", lang: "de", split: "test" })).sentences.slice(0, 500)
        ].map((s) => s.tokens)
        const model = path.join(dir, "model")
        yield* writeTinyModel(model, text, labelSet(conllTypes).tags)
        const options = {
          model,
          corpus: "conll" as const,
          langs: ["en", "de"],
          split: "test" as const,
          perLang: 40,
          includeO: false,
          seed: 5,
          maxLength: 64,
          batchSize: 16
        }
        const before = tf.memory().numTensors
        const a = yield* Effect.scoped(tokenFigure(options))
        expect(tf.memory().numTensors).toBe(before)
        const b = yield* Effect.scoped(tokenFigure(options))
        expect(b.points).toEqual(a.points)
        for (const lang of ["en", "de"]) {
          const mine = a.points.filter((p) => p.lang === lang)
          expect(mine.length).toBeGreaterThan(30)
          expect(mine.length).toBeLessThanOrEqual(40)
        }
        expect(a.points.every((p) => p.tag !== "O" && Number.isFinite(p.x) && Number.isFinite(p.y))).toBe(
          true
        )
        const other = yield* Effect.scoped(tokenFigure({ ...options, seed: 6 }))
        expect(other.points).not.toEqual(a.points)
      }).pipe(
        Effect.provide(
          Layer.mergeAll(Corpora.at(dataRoot), NodeContext.layer, TensorRuntime.layer({ backend: "cpu" }))
        )
      ),
    120_000
  )
})
