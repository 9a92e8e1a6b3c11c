/**
 * The Sum and Mean gradients that broadcast dy instead of multiplying by ones(x.shape): registered
 * by the runtime, and bit for bit tfjs's formula on random shapes and axes, on the cpu backend and
 * on wasm with the native kernels (when built), leaking no tensor.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { broadcastGradients } from "../../src/runtime/gradients.js"
import { tf } from "../../src/runtime/tf.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)

const reductionCase = fc
  .record({
    shape: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
    keepDims: fc.boolean(),
    mean: fc.boolean()
  })
  .chain((c) =>
    fc.record({
      c: fc.constant(c),
      // undefined: every axis, as tfjs reads it
      axes: fc.option(
        fc.uniqueArray(fc.integer({ min: 0, max: c.shape.length - 1 }), {
          minLength: 1,
          maxLength: c.shape.length
        }),
        { nil: undefined }
      )
    })
  )

const bits = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer))

const suite = (backend: "cpu" | "wasm") =>
  layer(TensorRuntime.layer({ backend }))(`Sum and Mean gradients (${backend})`, (it) => {
    it.effect("are the broadcasting ones", () =>
      Effect.sync(() => {
        for (const config of broadcastGradients)
          expect(tf.getGradient(config.kernelName)?.gradFunc).toBe(config.gradFunc)
      })
    )

    it.prop(
      "equal tfjs's dy · ones(x.shape) (÷ n for Mean) bit for bit",
      [reductionCase],
      ([{ c, axes }]) => {
        expect(tf.getBackend()).toBe(backend)
        const before = tf.memory().numTensors
        const [got, want] = tf.tidy(() => {
          const x = tf.randomNormal(c.shape, 0, 1, "float32", c.seed)
          const reduce = (v: tf.Tensor) => (c.mean ? tf.mean : tf.sum)(v, axes, c.keepDims)
          const y = reduce(x)
          const dy = tf.randomNormal(y.shape, 0, 1, "float32", c.seed + 1)
          const reduced = (i: number) => axes === undefined || axes.includes(i)
          const expanded = c.shape.map((d, i) => (reduced(i) ? 1 : d))
          const ones = tf.mul(tf.reshape(dy, expanded), tf.ones(c.shape, "float32"))
          const n = c.shape.reduce((p, d, i) => (reduced(i) ? p * d : p), 1)
          return [bits(tf.grad(reduce)(x, dy)), bits(c.mean ? tf.div(ones, n) : ones)]
        })
        expect(got).toEqual(want)
        expect(tf.memory().numTensors).toBe(before)
      },
      { fastCheck: { numRuns, seed: 911 } }
    )
  })

describe("broadcasting reduction gradients", () => {
  suite("cpu")
  suite("wasm")
})
