import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Data, Effect, Exit, Layer, Schema } from "effect"
import { Corpora } from "../../src/data/Corpora.js"
import { progressHooks } from "../../src/experiment/progress.js"
import { resumeExperiment, runExperiment } from "../../src/experiment/run.js"
import { ExperimentSpec, Protocol } from "../../src/experiment/spec.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { tf } from "../../src/runtime/tf.js"
import { conllTypes, labelSet } from "../../src/train/labels.js"
import { dataRoot, hasData } from "../support/data.js"
import { writeTinyModel } from "../support/tinyModel.js"

const protocol = Protocol.make({
  name: "test",
  epochs: 1,
  batchSize: 8,
  maxLength: 48,
  evalEvery: 2,
  lr: 1e-3,
  weightDecay: 0.01,
  warmupRatio: 0,
  maxGradNorm: 1,
  kdEpochs: 1,
  kdSentences: 16,
  devSentences: 40,
  testSentences: 120,
  evalBatchSize: 64
})

/** A tiny model whose vocabulary covers the English and German text the runs read. */
const makeModel = (dir: string) =>
  Effect.gen(function* () {
    const corpora = yield* Corpora
    const text = [
      ...(yield* corpora.load({ corpus: "conll", lang: "en", split: "train" })).sentences.slice(0, 3000),
      ...(yield* corpora.load({ corpus: "conll", lang: "de", split: "test" })).sentences.slice(0, 1000)
    ].map((s) => s.tokens)
    const model = path.join(dir, "model")
    yield* writeTinyModel(model, text, labelSet(conllTypes).tags)
    return model
  })

const specFor = (model: string, method = "concner") =>
  Schema.decodeUnknown(ExperimentSpec)({
    method,
    lang: "de",
    corpus: "conll",
    sourceSize: 24,
    seed: 3,
    model,
    translations: "mulda",
    mismatches: "keep",
    protocol
  })

class Stop extends Data.TaggedError("Stop")<{ readonly after: number }> {}

const layerOn = (backend: string) =>
  Layer.mergeAll(Corpora.at(dataRoot), NodeContext.layer, TensorRuntime.layer({ backend }))

describe.skipIf(!hasData)("a run on real data", () => {
  it.scoped(
    "trains, selects on dev, distills and scores (ConCNER, de, wasm)",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const spec = yield* specFor(yield* makeModel(dir))
        const events: Array<string> = []
        const before = tf.memory().numTensors
        const result = yield* runExperiment(spec, path.join(dir, "run"), {
          onEvent: (stage, event) => Effect.sync(() => events.push(`${stage}:${event._tag}`))
        })
        expect(tf.memory().numTensors).toBe(before)
        // 24 sampled sentences, those with a MulDA translation in batches of 8 (one has none)
        expect(result.missingTranslations).toBe(1)
        expect(result.steps).toBe(3)
        expect(result.student?.steps).toBe(2) // 16 unlabeled German sentences
        expect(result.testSentences).toBe(120)
        expect(events.filter((e) => e === "teacher:Step")).toHaveLength(3)
        expect(events.filter((e) => e === "teacher:Eval")).toHaveLength(2) // step 2 and the last
        expect(events.filter((e) => e === "student:Eval")).toHaveLength(1)
        for (const s of [result.test, result.student!.test]) expect(s.f1).toBeGreaterThanOrEqual(0)
        const run = path.join(dir, "run")
        const saved = JSON.parse(yield* fs.readFileString(path.join(run, "result.json")))
        expect(saved).toEqual(JSON.parse(JSON.stringify(result)))
        const record = JSON.parse(yield* fs.readFileString(path.join(run, "run.json")))
        expect(record.backend).toBe("wasm")
        expect(record.dataFiles.map((f: { path: string }) => path.relative(dataRoot, f.path))).toContain(
          "translations/conll2003-en-train/mulda/de/train.txt"
        )
        for (const stage of ["teacher", "student"])
          expect(yield* fs.exists(path.join(run, stage, "model.safetensors"))).toBe(true)
      }).pipe(Effect.provide(layerOn("wasm"))),
    600_000
  )

  it.scoped(
    "a run stopped at any event and resumed matches an uninterrupted one (cpu)",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const spec = yield* specFor(yield* makeModel(dir))
        const whole = path.join(dir, "whole")
        const reference = yield* Effect.scoped(
          Effect.flatMap(progressHooks(whole, { isTTY: false, write: () => true } as never), (hooks) =>
            runExperiment(spec, whole, hooks)
          )
        )
        const metrics = yield* fs.readFileString(path.join(whole, "metrics.jsonl"))
        const events = metrics.trim().split("\n").length
        // stop once in the teacher stage and once in the student stage (events: 3 steps + 2 evals, then 2 + 1)
        for (const after of [2, 6]) {
          const run = path.join(dir, `stopped-${after}`)
          let seen = 0
          const stopped = yield* Effect.exit(
            Effect.scoped(
              Effect.flatMap(progressHooks(run, { isTTY: false, write: () => true } as never), (hooks) =>
                runExperiment(spec, run, {
                  onEvent: (stage, event, total) =>
                    ++seen > after ? Effect.die(new Stop({ after })) : hooks.onEvent(stage, event, total)
                })
              )
            )
          )
          expect(Exit.isFailure(stopped)).toBe(true)
          const resumed = yield* resumeExperiment(
            run,
            progressHooks(run, { isTTY: false, write: () => true } as never)
          )
          expect({ ...resumed, seconds: 0 }).toEqual({ ...reference, seconds: 0 })
          expect(yield* fs.readFileString(path.join(run, "metrics.jsonl"))).toBe(metrics)
        }
        expect(events).toBe(8)
      }).pipe(Effect.provide(layerOn("cpu"))),
    900_000
  )
})
