/**
 * The fast path (native kernels on wasm) against the plain wasm backend over three real ConCNER
 * steps (CE + LCL + TCL, dropout, clipping, AdamW): same losses and same weights within 1e-4, and
 * the fast path is bit-identical run to run — and, on the built-in GEMM, for any thread count.
 * Skipped, with a note, when the addon is not built.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import { benchBatch, benchSettings, benchTags } from "../../bench/workload.js"
import { type BertConfig, decodeBertConfig } from "../../src/model/config.js"
import { initParams, scopedParams } from "../../src/model/params.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { disableNativeKernels, enableNativeKernels } from "../../src/runtime/kernels.js"
import { loadNative } from "../../src/runtime/native.js"
import { tf } from "../../src/runtime/tf.js"
import { makeAdamW } from "../../src/train/adamw.js"
import { trainStep } from "../../src/train/step.js"
import { snapshotWeights } from "../../src/train/weights.js"

const native = loadNative()
if (!native.loaded) console.warn(`skipping fast-path step parity: ${native.reason}`)

const configOf = (hidden: number) =>
  Either.getOrThrow(
    decodeBertConfig(
      {
        model_type: "bert",
        vocab_size: 300,
        hidden_size: hidden,
        num_hidden_layers: 2,
        num_attention_heads: 2,
        intermediate_size: 2 * hidden,
        max_position_embeddings: 64
      },
      "<fast path test>"
    )
  )
const config = configOf(32)

/** Three steps from the same seed; losses and final weights. lr is small enough that a gradient
 * sign flip on a near-zero gradient (AdamW moves ±lr whatever its size) stays within tolerance. */
const stepsOf = (config: BertConfig, seq: number) =>
  Effect.scoped(
    Effect.gen(function* () {
      const params = yield* scopedParams(() => initParams(config, benchTags.length, 3))
      const optimizer = yield* makeAdamW(params)
      const batch = benchBatch(config.vocabSize, seq, 5)
      const losses: Array<number> = []
      for (let step = 0; step < 3; step++) {
        const result = trainStep({ params, config, optimizer }, benchSettings, batch, step, 1e-5)
        if (Either.isLeft(result)) throw new Error(result.left.message)
        losses.push(result.right.loss, ...Object.values(result.right.terms), result.right.gradNorm)
      }
      return { losses, weights: snapshotWeights(params) }
    })
  )
const threeSteps = stepsOf(config, 12)

describe.skipIf(!native.loaded)("fast path vs plain wasm", () => {
  layer(TensorRuntime.layer({ backend: "wasm" }))("three ConCNER steps", (it) => {
    it.effect("give the same losses and weights (≤ 1e-4), and the fast path repeats bit for bit", () =>
      Effect.gen(function* () {
        const before = tf.memory().numTensors
        expect(enableNativeKernels()).toContain("BatchMatMul")
        const fast = yield* threeSteps
        const again = yield* threeSteps
        disableNativeKernels()
        const plain = yield* Effect.ensuring(
          threeSteps,
          Effect.sync(() => enableNativeKernels())
        )
        expect(again.losses).toEqual(fast.losses)
        fast.losses.forEach((l, i) =>
          expect(Math.abs(l - plain.losses[i]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(l)))
        )
        for (const [name, w] of Object.entries(fast.weights)) {
          expect(again.weights[name]).toEqual(w)
          const p = plain.weights[name]!
          let worst = 0
          w.forEach((v, i) => {
            worst = Math.max(worst, Math.abs(v - p[i]!) / (1 + Math.abs(v)))
          })
          expect(worst, name).toBeLessThanOrEqual(1e-4)
        }
        expect(tf.memory().numTensors).toBe(before)
      })
    )

    // big enough (2,048 tokens, FFN 256) that the GEMMs and elementwise kernels split over threads
    it.effect("on the built-in GEMM repeat bit for bit at 1, 2 and 3 threads", () =>
      Effect.gen(function* () {
        if (!native.loaded) return
        const addon = native.addon
        const was = { gemm: addon.setGemm(), threads: addon.setThreads() }
        addon.setGemm("builtin", addon.gemmIsas()[0])
        const wide = stepsOf(configOf(128), 32)
        const runs = []
        for (const threads of [1, 2, 3]) {
          addon.setThreads(threads)
          runs.push(yield* wide)
        }
        addon.setGemm(was.gemm.split(" ")[0], addon.gemmIsas()[0])
        addon.setThreads(was.threads)
        for (const run of runs.slice(1)) {
          expect(run.losses).toEqual(runs[0]!.losses)
          expect(run.weights).toEqual(runs[0]!.weights)
        }
      })
    )
  })
})
