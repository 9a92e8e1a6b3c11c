import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { UMAP } from "umap-js"
import { Corpora } from "../../src/data/Corpora.js"
import { conllTypes, labelSet } from "../../src/data/labels.js"
import { mulberry32 } from "../../src/data/sampling.js"
import { loadModelFolder } from "../../src/model/modelFolder.js"
import { resultsSpec, tokenScatterSpec } from "../../src/report/charts.js"
import type { ReportRow } from "../../src/report/summary.js"
import { renderSvg, svgPage } from "../../src/report/svg.js"
import { projectTokens, tokenVectors, wordBatches } from "../../src/report/tokenVectors.js"
import { tokenFigure } from "../../src/report/visualize.js"
import {
  Progress,
  type ProgressStage,
  type ProgressTick,
  silentProgress
} from "../../src/runtime/Progress.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { tf } from "../../src/runtime/tf.js"
import { dataRoot, hasData } from "../support/data.js"
import { recordingSink } from "../support/progressSink.js"
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

/** A Progress that records what it is told. */
const recordingProgress = () => {
  const plans: Array<ReadonlyArray<ProgressStage>> = []
  const ticks: Array<ProgressTick> = []
  const layer = Layer.succeed(Progress, {
    ...silentProgress,
    plan: (stages) => Effect.sync(() => void plans.push(stages)),
    tick: (tick) => Effect.sync(() => void ticks.push(tick))
  })
  return { plans, ticks, layer }
}

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

  it.effect("refuses to project fewer than 3 vectors with a typed error that says what to do", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        projectTokens([{ lang: "en", word: "a", tag: "O", vector: [1, 2] }], 1).pipe(
          Effect.provideService(Progress, silentProgress)
        )
      )
      expect(error._tag).toBe("TooFewWords")
      expect(error.message).toBe(
        "only 1 word to draw, and UMAP needs at least 3: draw more (--per-lang, --include-o, more languages, another --split)"
      )
    })
  )
})

describe("token figure progress", () => {
  const sentences = Array.from({ length: 40 }, (_, i) => ({
    tokens: [`Wort${i}`, "Paris", "liegt", "an", "der", "Seine"],
    tags: ["O", "B-LOC", "O", "O", "O", "B-LOC"],
    line: 1 + 7 * i
  }))
  const corpora = [
    { lang: "en", sentences },
    { lang: "de", sentences }
  ]
  const options = { perLang: 30, includeO: false, seed: 3, maxLength: 16, batchSize: 4 }

  it.scoped(
    "encoding is a step per batch, UMAP a step per epoch; without a TTY each stage's first and last are plain lines",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const model = path.join(yield* fs.makeTempDirectoryScoped(), "model")
        yield* writeTinyModel(
          model,
          sentences.map((s) => s.tokens),
          labelSet(conllTypes).tags
        )
        const loaded = yield* loadModelFolder(model)
        // two entity words a sentence: 15 sentences per language, in batches of 4, 4, 4, 3
        const batches = wordBatches(corpora, options)
        expect(batches.map((b) => `${b.lang} ${b.picked.length}`)).toEqual([
          ...["en 4", "en 4", "en 4", "en 3"],
          ...["de 4", "de 4", "de 4", "de 3"]
        ])
        const recorded = recordingProgress()
        const vectors = yield* tokenVectors(loaded.params, loaded.config, loaded.tokenizer, batches, 16).pipe(
          Effect.provide(recorded.layer)
        )
        expect(vectors).toHaveLength(60)
        const points = yield* projectTokens(vectors, 3).pipe(Effect.provide(recorded.layer))
        const stage = (name: string) => recorded.ticks.filter((t) => t.stage === name)
        expect(stage("encode").map((t) => `${t.step}/${t.total}`)).toEqual(
          Array.from({ length: 8 }, (_, i) => `${i + 1}/8`)
        )
        expect(stage("encode").every((t) => (t.tokens ?? 0) > 0)).toBe(true)
        // umap-js runs 500 epochs on fewer than 2,500 points
        expect(stage("UMAP").map((t) => t.step)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1))
        expect(stage("UMAP").every((t) => t.total === 500)).toBe(true)
        // epoch by epoch, the same picture as umap-js's `fit` in one call (the figure before this change)
        const fitted = new UMAP({ nComponents: 2, nNeighbors: 15, random: mulberry32(3) }).fit(
          vectors.map((v) => [...v.vector])
        )
        expect(points.map((p) => [p.x, p.y])).toEqual(fitted)

        const { written, sink } = recordingSink(false)
        yield* Effect.gen(function* () {
          yield* (yield* Progress).plan([
            { name: "encode", total: batches.length },
            { name: "UMAP", total: 0 }
          ])
          yield* projectTokens(
            yield* tokenVectors(loaded.params, loaded.config, loaded.tokenizer, batches, 16),
            3
          )
        }).pipe(Effect.provide(Progress.layer({ sink })))
        expect(written.map((l) => l.split("  ")[0])).toEqual([
          "[1/2] encode 1/8",
          "[1/2] encode 8/8",
          "[2/2] UMAP 1/500",
          "[2/2] UMAP 500/500"
        ])
      }).pipe(Effect.provide(Layer.mergeAll(NodeContext.layer, TensorRuntime.layer({ backend: "cpu" })))),
    120_000
  )
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
        const recorded = recordingProgress()
        const a = yield* Effect.scoped(tokenFigure(options)).pipe(Effect.provide(recorded.layer))
        // a step per batch, then UMAP, whose epochs its first step sets
        const encoded = recorded.ticks.filter((t) => t.stage === "encode")
        expect(recorded.plans).toEqual([
          [
            { name: "encode", total: encoded.length },
            { name: "UMAP", total: 0 }
          ]
        ])
        expect(encoded.at(-1)?.step).toBe(encoded.length)
        expect(tf.memory().numTensors).toBe(before)
        const b = yield* Effect.scoped(tokenFigure(options)).pipe(Effect.provide(recorded.layer))
        expect(b.points).toEqual(a.points)
        for (const lang of ["en", "de"]) {
          const mine = a.points.filter((p) => p.lang === lang)
          expect(mine.length).toBeGreaterThan(30)
          expect(mine.length).toBeLessThanOrEqual(40)
        }
        expect(a.points.every((p) => p.tag !== "O" && Number.isFinite(p.x) && Number.isFinite(p.y))).toBe(
          true
        )
        const other = yield* Effect.scoped(tokenFigure({ ...options, seed: 6 })).pipe(
          Effect.provide(recorded.layer)
        )
        expect(other.points).not.toEqual(a.points)
      }).pipe(
        Effect.provide(
          Layer.mergeAll(Corpora.at(dataRoot), NodeContext.layer, TensorRuntime.layer({ backend: "cpu" }))
        )
      ),
    120_000
  )
})
