/**
 * The native elementwise kernels (float32 Add/Sub/Multiply/RealDiv, trailing-axis Sum, Transpose)
 * against the stock wasm kernels on random shapes and broadcasts, and the native segment sum
 * against the JS loop it replaces: the same values (sums within 1e-4: the addon accumulates in
 * double), same shapes and dtypes, no leaked tensors; and the sums' shape checks. Skipped, with a
 * note, when the addon is not built.
 */
import { describe, expect, layer } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import {
  disableNativeKernels,
  enableNativeKernels,
  unsortedSegmentSumInto
} from "../../src/runtime/kernels.js"
import { loadNative } from "../../src/runtime/native.js"
import { tf } from "../../src/runtime/tf.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)
const native = loadNative()
if (!native.loaded) console.warn(`skipping native elementwise parity: ${native.reason}`)

/** `f` with the native kernels, then with the stock ones: shapes, dtypes and values of each result. */
const both = (f: () => Array<tf.Tensor>) => {
  const run = () =>
    tf.tidy(() => f().map((t) => ({ shape: t.shape, dtype: t.dtype, values: Array.from(t.dataSync()) })))
  enableNativeKernels()
  const fast = run()
  disableNativeKernels()
  try {
    return { fast, stock: run() }
  } finally {
    enableNativeKernels()
  }
}

const shapeCase = fc.record({
  shape: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
  seed: fc.integer({ min: 1, max: 1_000_000 }), // tfjs reads seed 0 as "no seed"
  split: fc.nat()
})

const ops = [tf.add, tf.sub, tf.mul, tf.div] as const

describe.skipIf(!native.loaded)("native elementwise kernels (wasm)", () => {
  layer(TensorRuntime.layer({ backend: "wasm" }))("parity with the stock kernels", (it) => {
    it.prop(
      "Add, Sub, Multiply and RealDiv match on same shapes, row and scalar broadcasts and the rest",
      [shapeCase],
      ([c]) => {
        const before = tf.memory().numTensors
        const { fast, stock } = both(() => {
          const x = tf.randomNormal(c.shape, 0, 1, "float32", c.seed)
          // divisors away from 0, so that a division stays finite
          const y = tf.add(tf.randomUniform(c.shape, 0.5, 2, "float32", c.seed + 1), 0)
          const k = c.split % c.shape.length
          const row = tf.randomUniform(c.shape.slice(k), 0.5, 2, "float32", c.seed + 2)
          const padded = tf.reshape(row, [1, 1, ...row.shape])
          const scalar = tf.scalar(1.5)
          const column = tf.randomUniform([...c.shape.slice(0, -1), 1], 0.5, 2, "float32", c.seed + 3)
          // the attention mask's broadcast: [B, 1, …, 1, T] over [B, …, T]
          const ends = c.shape.map((d, i) => (i === 0 || i === c.shape.length - 1 ? d : 1))
          const middle = tf.randomUniform(ends, 0.5, 2, "float32", c.seed + 4)
          const ints = tf.cast(tf.mul(x, 4), "int32")
          return [
            ...ops.flatMap((op) => [
              op(x, y),
              op(x, row),
              op(row, y),
              op(x, padded),
              op(x, scalar),
              op(scalar, y),
              op(x, column),
              op(x, middle),
              op(middle, y)
            ]),
            tf.add(ints, ints),
            tf.sub(ints, tf.scalar(1, "int32"))
          ]
        })
        expect(fast).toEqual(stock)
        expect(tf.memory().numTensors).toBe(before)
      },
      { fastCheck: { numRuns, seed: 841 } }
    )

    it.prop(
      "Sum over trailing axes matches within 1e-4, with and without keepDims",
      [shapeCase],
      ([c]) => {
        const before = tf.memory().numTensors
        const rank = c.shape.length
        const k = c.split % rank
        const axes = Array.from({ length: rank - k }, (_, i) => k + i)
        const { fast, stock } = both(() => {
          const x = tf.randomNormal(c.shape, 0, 1, "float32", c.seed)
          return [tf.sum(x, axes), tf.sum(x, axes, true), tf.sum(x, -1), tf.sum(x)]
        })
        expect(fast.map(({ shape, dtype }) => ({ shape, dtype }))).toEqual(
          stock.map(({ shape, dtype }) => ({ shape, dtype }))
        )
        fast.forEach((t, i) =>
          t.values.forEach((v, j) => {
            const want = stock[i]!.values[j]!
            expect(Math.abs(v - want)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want)))
          })
        )
        expect(tf.memory().numTensors).toBe(before)
      },
      { fastCheck: { numRuns, seed: 842 } }
    )

    it.prop(
      "Transpose matches for random permutations of float32 and int32 tensors",
      [shapeCase, fc.array(fc.nat(), { minLength: 4, maxLength: 4 })],
      ([c, keys]) => {
        const before = tf.memory().numTensors
        const perm = c.shape.map((_, i) => i).sort((p, q) => keys[p]! - keys[q]! || p - q)
        const { fast, stock } = both(() => {
          const x = tf.randomNormal(c.shape, 0, 1, "float32", c.seed)
          return [tf.transpose(x, perm), tf.transpose(tf.cast(tf.mul(x, 8), "int32"), perm), tf.transpose(x)]
        })
        expect(fast).toEqual(stock)
        expect(tf.memory().numTensors).toBe(before)
      },
      { fastCheck: { numRuns, seed: 843 } }
    )

    it.prop(
      "segmentSum is bit-identical to the JS loop (out-of-range ids ignored)",
      [
        fc.record({
          rows: fc.integer({ min: 0, max: 20 }),
          inner: fc.integer({ min: 1, max: 6 }),
          segments: fc.integer({ min: 1, max: 8 }),
          seed: fc.integer({ min: 1, max: 1_000_000 })
        })
      ],
      ([c]) => {
        if (!native.loaded) return
        const x = Float32Array.from({ length: c.rows * c.inner }, (_, i) => Math.sin(i * c.seed) * 10)
        const ids = Int32Array.from({ length: c.rows }, (_, i) => ((i * c.seed) % (c.segments + 2)) - 1)
        const want = new Float32Array(c.segments * c.inner)
        unsortedSegmentSumInto(x, ids, c.segments, c.inner, want)
        const got = new Float32Array(c.segments * c.inner).fill(Number.NaN) // must be zeroed by the addon
        native.addon.segmentSum(x, ids, c.segments, c.inner, got)
        expect(got).toStrictEqual(want)
      },
      { fastCheck: { numRuns, seed: 844 } }
    )

    it("sumRows and sumCols reject a shape that does not fit x or out, naming the call", () => {
      if (!native.loaded) return
      const { sumRows, sumCols } = native.addon
      const x = new Float32Array(6)
      expect(() => sumRows(x, 2, 4, new Float32Array(4))).toThrow(/sumRows\(x, rows, cols, out\)/) // x too short
      expect(() => sumRows(x, 2, 3, new Float32Array(2))).toThrow(/out of cols/)
      expect(() => sumCols(x, 3, 2, new Float32Array(2))).toThrow(/out of rows/)
      expect(() => sumCols(x, -1, 2, new Float32Array(2))).toThrow(/sumCols/)
      const rows = new Float32Array(3)
      sumRows(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3, rows)
      const cols = new Float32Array(2)
      sumCols(Float32Array.of(1, 2, 3, 4, 5, 6), 2, 3, cols)
      expect([Array.from(rows), Array.from(cols)]).toEqual([
        [5, 7, 9],
        [6, 15]
      ])
    })
  })
})
