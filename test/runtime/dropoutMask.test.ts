/**
 * The counter-based dropout mask: a pure function of (seed, keepProb) with the right keep rate and
 * scale, no visible structure between neighbouring elements or related seeds, pinned values (runs
 * must reproduce across versions), and the model's `dropout` on a backend without the native
 * kernels multiplying by exactly this mask. Native parity: test/runtime/nativeKernels.test.ts.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { dropout } from "../../src/model/ops.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { dropoutMaskValues, dropoutStream } from "../../src/runtime/dropoutMask.js"
import { tf } from "../../src/runtime/tf.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)

const bits = (mask: Float32Array) => Array.from(mask, (v) => (v > 0 ? 1 : 0)).join("")

describe("dropoutMaskValues", () => {
  it("pins the stream: the same seed gives these masks in every version", () => {
    expect(bits(dropoutMaskValues(40, 0.9, "0/bert.embeddings.dropout"))).toBe(
      "1111101111110111111111111110011111101111"
    )
    expect(bits(dropoutMaskValues(40, 0.5, "seed"))).toBe("1110000100110011110110101101111000100100")
  })

  it.prop(
    "is a pure function of the seed, a prefix of any longer mask, kept values float32 1 / keepProb",
    [
      fc.string({ maxLength: 16 }),
      fc.integer({ min: 0, max: 3000 }),
      fc.double({ min: 0.01, max: 1, noNaN: true })
    ],
    ([seed, size, keepProb]) => {
      const mask = dropoutMaskValues(size, keepProb, seed)
      expect(mask).toEqual(dropoutMaskValues(size, keepProb, seed))
      expect(dropoutMaskValues(size + 17, keepProb, seed).subarray(0, size)).toEqual(mask)
      const scale = Math.fround(1 / Math.fround(keepProb))
      for (const v of mask) expect(v === 0 || v === scale).toBe(true)
    },
    { fastCheck: { numRuns, seed: 901 } }
  )

  it.prop(
    "keeps a keepProb share of elements, neighbours and sibling seeds independently",
    [fc.string({ maxLength: 16 }), fc.constantFrom(0.1, 0.5, 0.9, 0.95)],
    ([seed, keepProb]) => {
      const n = 1 << 16
      const a = dropoutMaskValues(n, keepProb, seed)
      const b = dropoutMaskValues(n, keepProb, `${seed}x`)
      let kept = 0
      let neighbours = 0
      let siblings = 0
      for (let i = 0; i < n; i++) {
        kept += a[i]! > 0 ? 1 : 0
        neighbours += a[i]! > 0 && a[(i + 1) % n]! > 0 ? 1 : 0
        siblings += a[i]! > 0 && b[i]! > 0 ? 1 : 0
      }
      // six standard deviations of a binomial share: fails on structure, not on chance
      const within = (count: number, p: number) =>
        expect(Math.abs(count / n - p)).toBeLessThan(6 * Math.sqrt((p * (1 - p)) / n))
      within(kept, keepProb)
      within(neighbours, keepProb * keepProb)
      within(siblings, keepProb * keepProb)
    },
    { fastCheck: { numRuns: Math.min(numRuns, 20), seed: 902 } }
  )

  it("derives keys from every character of the seed", () => {
    const keys = new Set(
      ["", "a", "b", "ab", "ba", "0/x", "1/x", "0/y", "a\u0100"].map((s) => {
        const k = dropoutStream(s, 0.9)
        return `${k.key0}:${k.key1}`
      })
    )
    expect(keys.size).toBe(9)
  })
})

layer(TensorRuntime.layer({ backend: "cpu" }))("dropout without the native kernels", (it) => {
  it.prop(
    "multiplies by dropoutMaskValues of `${seed}/${site}`, bit for bit, leaking no tensor",
    [
      fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1, max: 1000 }),
      fc.constantFrom(0.1, 0.5, 1 / 3)
    ],
    ([shape, seed, rate]) => {
      expect(tf.getBackend()).toBe("cpu")
      const before = tf.memory().numTensors
      const [got, want] = tf.tidy(() => {
        const x = tf.randomNormal(shape, 0, 1, "float32", seed)
        const mask = dropoutMaskValues(x.size, 1 - rate, `${seed}/site`)
        return [
          Array.from(dropout(x, rate, { training: true, seed }, "site").dataSync()),
          Array.from(tf.mul(x, tf.tensor(mask, shape)).dataSync())
        ]
      })
      expect(got).toEqual(want)
      expect(tf.memory().numTensors).toBe(before)
    },
    { fastCheck: { numRuns, seed: 903 } }
  )
})
