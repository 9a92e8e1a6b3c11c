import { beforeAll, describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { tf } from "../../src/runtime/tf.js"
import { clipGradNorm, globalGradNorm, gradBuffers, nonFiniteGradients } from "../../src/train/clip.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)

beforeAll(async () => {
  await tf.setBackend("cpu")
})

describe("gradient clipping", () => {
  const grads = { "a.weight": Float32Array.of(3, 4), "a.bias": Float32Array.of(12) }

  it("matches a hand-worked example", () => {
    // ‖(3, 4, 12)‖ = √(9 + 16 + 144) = 13
    expect(globalGradNorm(grads)).toBe(13)
    // above max_norm: scale = 6.5 / (13 + 1e-6)
    const { totalNorm, scale } = clipGradNorm(grads, 6.5)
    expect(totalNorm).toBe(13)
    expect(scale).toBeCloseTo(0.49999996153846, 13)
    // below: untouched
    expect(clipGradNorm(grads, 20).scale).toBe(1)
    // torch scales whenever max_norm / (total + 1e-6) < 1, even at total = max_norm
    expect(clipGradNorm(grads, 13).scale).toBeLessThan(1)
  })

  it.prop(
    "scaled gradients have norm min(total, maxNorm) up to torch's 1e-6",
    [
      fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 50 }),
      fc.double({ min: 1e-3, max: 100, noNaN: true })
    ],
    ([xs, maxNorm]) => {
      const g = { w: Float32Array.from(xs) }
      const { totalNorm, scale } = clipGradNorm(g, maxNorm)
      const after = totalNorm * scale
      expect(after).toBeLessThanOrEqual(maxNorm + 1e-9)
      expect(Math.abs(after - Math.min(totalNorm, maxNorm))).toBeLessThanOrEqual(1e-6 * (1 + maxNorm))
    },
    { fastCheck: { numRuns, seed: 31 } }
  )

  it("names the non-finite gradients, in order", () => {
    expect(nonFiniteGradients(grads)).toStrictEqual([])
    const bad = {
      a: Float32Array.of(1, Number.NaN),
      b: Float32Array.of(2),
      c: Float32Array.of(Number.NEGATIVE_INFINITY),
      d: Float32Array.of(Number.POSITIVE_INFINITY, 0)
    }
    expect(nonFiniteGradients(bad)).toStrictEqual(["a", "c", "d"])
  })

  it("reads gradient tensors by name", () => {
    const g = tf.tensor([1, 2, 3])
    expect(gradBuffers({ w: g })).toStrictEqual({ w: Float32Array.of(1, 2, 3) })
    g.dispose()
    const ints = tf.tensor([1], [1], "int32")
    expect(() => gradBuffers({ w: ints })).toThrow(/dtype int32/)
    ints.dispose()
  })
})
