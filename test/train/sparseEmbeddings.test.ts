/**
 * Sparse word-embedding training (XLM-R): one step with the batch's rows as their own variable
 * against the dense step from the same weights. Every other weight and the touched rows come out
 * the same (to the last bits: the gradient norm sums in another order); untouched rows keep their
 * values (lazy AdamW), where dense AdamW only decays them.
 */
import { fileURLToPath } from "node:url"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import { entityTypesOfTags } from "../../src/losses/labelRelation.js"
import { paperObjectives } from "../../src/losses/objective.js"
import { loadCheckpoint } from "../../src/model/checkpoint.js"
import { wordEmbeddingsKey } from "../../src/model/params.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { tf } from "../../src/runtime/tf.js"
import { makeAdamW } from "../../src/train/adamw.js"
import type { Batch } from "../../src/train/batches.js"
import { type StepSettings, sparseWordEmbeddings, trainStep } from "../../src/train/step.js"

const SMALL = fileURLToPath(new URL("../fixtures/xlmr/small", import.meta.url))
const TAGS = ["O", "B-PER", "I-PER"]

const batch = (): Batch => {
  const rows = 4
  const length = 7
  // two source rows and their two translations, padded with <pad> (1); ids repeat across rows
  const ids = [
    [0, 40, 41, 42, 2, 1, 1],
    [0, 40, 77, 300, 301, 2, 1],
    [0, 88, 41, 2, 1, 1, 1],
    [0, 500, 77, 12, 13, 14, 2]
  ]
  const inputIds = Int32Array.from(ids.flat())
  const attentionMask = inputIds.map((id) => (id === 1 ? 0 : 1))
  const labels = Int32Array.from(ids.flat().map((id, i) => (id <= 2 ? -100 : i % 3)))
  return {
    epoch: 0,
    batch: 0,
    indices: [0, 1],
    rows,
    length,
    inputIds,
    attentionMask,
    labels,
    source: [0, 2],
    translation: [2, 4]
  }
}

const settings = (sparse: boolean): StepSettings => ({
  run: "sparse-test",
  seed: 5,
  objective: paperObjectives["concner-no-kd"],
  stage: "teacher",
  maxGradNorm: 1,
  tagTypes: entityTypesOfTags(TAGS),
  sparseEmbeddings: sparse
})

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-6 * (1 + Math.abs(b))

layer(TensorRuntime.layer({ backend: "cpu" }))("sparse word embeddings", (it) => {
  it.scoped("one step: the batch's rows as dense AdamW moves them, the others untouched", () =>
    Effect.gen(function* () {
      const sparse = yield* loadCheckpoint(SMALL)
      const dense = yield* loadCheckpoint(SMALL)
      expect(sparseWordEmbeddings(sparse.config)).toBe(true)
      const key = wordEmbeddingsKey(sparse.config)
      const original = sparse.params[key]!.dataSync().slice()
      const lr = 1e-2
      const step = (model: typeof sparse, on: boolean) =>
        Effect.gen(function* () {
          const optimizer = yield* makeAdamW(model.params)
          const trainee = { params: model.params, config: model.config, optimizer }
          return Either.getOrThrow(trainStep(trainee, settings(on), batch(), 0, lr)).gradNorm
        })
      const norms = [yield* step(sparse, true), yield* step(dense, false)]
      // the same gradient: only the float64 summation order of the norm differs (zero rows)
      expect(Math.abs(norms[0]! - norms[1]!)).toBeLessThan(1e-12 * norms[1]!)
      for (const name of Object.keys(sparse.params))
        if (name !== key) {
          const a = sparse.params[name]!.dataSync()
          const b = dense.params[name]!.dataSync()
          expect(a.every((x, i) => close(x, b[i]!))).toBe(true)
        }
      const h = sparse.config.hiddenSize
      const touched = new Set(batch().inputIds)
      const s = sparse.params[key]!.dataSync()
      const d = dense.params[key]!.dataSync()
      const decay = 1 - lr * 0.01
      let moved = 0
      for (let row = 0; row < sparse.config.vocabSize; row++)
        for (let j = 0; j < h; j++) {
          const i = row * h + j
          if (touched.has(row)) {
            expect(close(s[i]!, d[i]!)).toBe(true)
            if (s[i] !== original[i]) moved++
          } else {
            expect(s[i]).toBe(original[i])
            expect(d[i]).toBe(Math.fround(original[i]! * decay))
          }
        }
      expect(moved).toBeGreaterThan(touched.size * h * 0.9)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("a sparse step frees every tensor it makes", () =>
    Effect.gen(function* () {
      const model = yield* loadCheckpoint(SMALL)
      const optimizer = yield* makeAdamW(model.params)
      const trainee = { params: model.params, config: model.config, optimizer }
      trainStep(trainee, settings(true), batch(), 0, 1e-3)
      const before = tf.memory().numTensors
      expect(Either.isRight(trainStep(trainee, settings(true), batch(), 1, 1e-3))).toBe(true)
      expect(tf.memory().numTensors).toBe(before)
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
