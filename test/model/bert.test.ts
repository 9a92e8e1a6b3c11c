/**
 * Parity of the tfjs BERT with PyTorch (fixture made by test/fixtures/model/generate.py), and the
 * training-mode contract: dropout only in training and seeded, gradients reach every parameter, a
 * forward+backward step frees all its tensors. Runs on the cpu and wasm backends.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { tokenClassifier } from "../../src/model/classifier.js"
import { BertConfig } from "../../src/model/config.js"
import { bertEncoder } from "../../src/model/encoder.js"
import { EVAL, type ForwardMode } from "../../src/model/ops.js"
import type { BertParams } from "../../src/model/params.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { tf } from "../../src/runtime/tf.js"
import { loadFixture, maxAbsDiff } from "./fixture.js"

const TOLERANCE = 1e-4

const batchInputs = (batch: {
  input_ids: number[][]
  attention_mask: number[][]
  token_type_ids: number[][]
}) => ({
  inputIds: tf.tensor2d(batch.input_ids, undefined, "int32"),
  attentionMask: tf.tensor2d(batch.attention_mask, undefined, "int32"),
  tokenTypeIds: tf.tensor2d(batch.token_type_ids, undefined, "int32")
})

/** Mean token cross-entropy of the classifier against fixed labels (label = token id mod numLabels). */
const ceLoss = (params: BertParams, config: BertConfig, ids: number[][], mode: ForwardMode) => {
  const inputs = {
    inputIds: tf.tensor2d(ids, undefined, "int32"),
    attentionMask: tf.onesLike(tf.tensor2d(ids, undefined, "int32"))
  }
  const { logits } = tokenClassifier(params, config, inputs, mode)
  const numLabels = logits.shape[2]
  const labels = tf.oneHot(
    tf.tensor1d(
      ids.flat().map((id) => id % numLabels),
      "int32"
    ),
    numLabels
  )
  return tf.losses.softmaxCrossEntropy(labels, tf.reshape(logits, [-1, numLabels])) as tf.Scalar
}

for (const backend of ["cpu", "wasm"] as const) {
  layer(TensorRuntime.layer({ backend }))(`BERT on ${backend}`, (it) => {
    it.scoped("matches PyTorch hidden states and logits on a padded batch with token types", () =>
      Effect.gen(function* () {
        const { config, params, expected } = yield* loadFixture
        const [hiddenDiff, logitsDiff] = tf.tidy(() => {
          const out = tokenClassifier(params, config, batchInputs(expected.batch), EVAL)
          return [
            maxAbsDiff(out.hidden, expected.batch.hidden),
            maxAbsDiff(out.logits, expected.batch.logits)
          ]
        })
        expect(hiddenDiff).toBeLessThanOrEqual(TOLERANCE)
        expect(logitsDiff).toBeLessThanOrEqual(TOLERANCE)
      })
    )

    it.scoped("matches PyTorch with gelu_new and relu activations", () =>
      Effect.gen(function* () {
        const { config, params, expected } = yield* loadFixture
        const diffs = (["gelu_new", "relu"] as const).map((hiddenAct) =>
          tf.tidy(() => {
            const variant = new BertConfig({ ...config, hiddenAct })
            const { logits } = tokenClassifier(params, variant, batchInputs(expected.batch), EVAL)
            return maxAbsDiff(
              logits,
              hiddenAct === "relu" ? expected.batch.logits_relu : expected.batch.logits_gelu_new
            )
          })
        )
        for (const diff of diffs) expect(diff).toBeLessThanOrEqual(TOLERANCE)
      })
    )

    it.scoped("matches PyTorch on each sentence alone (no padding)", () =>
      Effect.gen(function* () {
        const { config, params, expected } = yield* loadFixture
        const diffs = expected.sentences.map((s) =>
          tf.tidy(() => {
            const ids = tf.tensor2d([[...s.input_ids]], undefined, "int32")
            return maxAbsDiff(
              bertEncoder(params, config, { inputIds: ids, attentionMask: tf.onesLike(ids) }, EVAL),
              [s.hidden]
            )
          })
        )
        expect(Math.max(...diffs)).toBeLessThanOrEqual(TOLERANCE)
      })
    )

    it.scoped("training without dropout equals eval; dropout is seeded and only in training", () =>
      Effect.gen(function* () {
        const { config, params, expected } = yield* loadFixture
        const noDropout = new BertConfig({ ...config, hiddenDropoutProb: 0, attentionProbsDropoutProb: 0 })
        const run = (c: BertConfig, mode: ForwardMode) =>
          tf.tidy(() => tokenClassifier(params, c, batchInputs(expected.batch), mode).logits.arraySync())
        const evalOut = run(config, EVAL)
        expect(run(noDropout, { training: true, seed: 1 })).toStrictEqual(run(noDropout, EVAL))
        expect(run(config, EVAL)).toStrictEqual(evalOut)
        const a = run(config, { training: true, seed: "run/1" })
        expect(run(config, { training: true, seed: "run/1" })).toStrictEqual(a)
        expect(run(config, { training: true, seed: "run/2" })).not.toStrictEqual(a)
        expect(a).not.toStrictEqual(evalOut)
      })
    )

    it.scoped("gradients of a cross-entropy loss reach every parameter", () =>
      Effect.gen(function* () {
        const { config, params, expected } = yield* loadFixture
        const ids = expected.batch.input_ids.map((row) => row.map((id) => (id === 0 ? 5 : id)))
        const zeroGrads = tf.tidy(() => {
          const { grads } = tf.variableGrads(
            () => ceLoss(params, config, ids, { training: true, seed: 7 }),
            Object.values(params)
          )
          return Object.entries(params)
            .filter(([, v]) => {
              const g = grads[v.name]
              return g === undefined || tf.any(tf.notEqual(g, 0)).dataSync()[0] === 0
            })
            .map(([key]) => key)
        })
        expect(zeroGrads).toStrictEqual([])
      })
    )

    it.scoped("a forward+backward step inside tf.tidy leaves numTensors unchanged", () =>
      Effect.gen(function* () {
        const { config, params, expected } = yield* loadFixture
        const step = (seed: number) =>
          tf.tidy(() => {
            const { value, grads } = tf.variableGrads(
              () => ceLoss(params, config, expected.batch.input_ids, { training: true, seed }),
              Object.values(params)
            )
            return [value.dataSync()[0]!, Object.keys(grads).length]
          })
        const before = tf.memory().numTensors
        const [loss, count] = step(1)
        step(2)
        expect(tf.memory().numTensors).toBe(before)
        expect(Number.isFinite(loss)).toBe(true)
        expect(count).toBe(Object.keys(params).length)
      })
    )
  })
}

describe("tfjs Erf", () => {
  it("is registered with a gradient (exact GELU needs it)", () => {
    const grad = tf.tidy(
      () =>
        tf
          .grad((x: tf.Tensor) => tf.erf(x))(tf.scalar(0.5))
          .dataSync()[0]!
    )
    // d/dx erf(x) = 2/√π e^(−x²)
    expect(grad).toBeCloseTo((2 / Math.sqrt(Math.PI)) * Math.exp(-0.25), 5)
  })
})
