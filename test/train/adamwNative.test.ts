/**
 * The native AdamW update and sum of squares against their JS references: bit for bit (the same
 * float64 operations in the same order), on random values including extremes, in place and into
 * another array, decayed or not, clipped or not. Skipped, with a note, when the addon is not built.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { loadNative } from "../../src/runtime/native.js"
import { type AdamWCoefficients, adamwInto } from "../../src/train/adamw.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)
const native = loadNative()
if (!native.loaded) console.warn(`skipping native AdamW parity: ${native.reason}`)

const float32s = (length: number) =>
  fc
    .array(
      fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-1e30), max: Math.fround(1e30) }),
      {
        minLength: length,
        maxLength: length
      }
    )
    .map((xs) => Float32Array.from(xs))

const updateCase = fc.integer({ min: 0, max: 40 }).chain((n) =>
  fc.record({
    p: float32s(n),
    g: float32s(n),
    m: float32s(n),
    // second moments are never negative
    v: float32s(n).map((v) => v.map(Math.abs)),
    t: fc.integer({ min: 1, max: 10_000 }),
    lr: fc.double({ min: 1e-7, max: 1e-1, noNaN: true }),
    decayed: fc.boolean(),
    gradScale: fc.oneof(fc.constant(1), fc.double({ min: 1e-6, max: 1, noNaN: true })),
    inPlace: fc.boolean()
  })
)

describe.skipIf(!native.loaded)("native AdamW and sum of squares", () => {
  it.prop(
    "adamw is bit-identical to the JS loop",
    [updateCase],
    ([c]) => {
      if (!native.loaded) return
      const beta1 = 0.9
      const beta2 = 0.999
      const k: AdamWCoefficients = {
        gradScale: c.gradScale,
        beta1,
        beta2,
        decay: c.decayed ? 1 - c.lr * 0.01 : 1,
        stepSize: c.lr / (1 - beta1 ** c.t),
        bc2Sqrt: Math.sqrt(1 - beta2 ** c.t),
        eps: 1e-8
      }
      const js = { p: c.p.slice(), m: c.m.slice(), v: c.v.slice(), out: new Float32Array(c.p.length) }
      const nat = { p: c.p.slice(), m: c.m.slice(), v: c.v.slice(), out: new Float32Array(c.p.length) }
      adamwInto(js.p, c.inPlace ? js.p : js.out, c.g, js.m, js.v, k)
      native.addon.adamw(
        nat.p,
        c.inPlace ? nat.p : nat.out,
        c.g,
        nat.m,
        nat.v,
        k.gradScale,
        k.beta1,
        k.beta2,
        k.decay,
        k.stepSize,
        k.bc2Sqrt,
        k.eps
      )
      // toStrictEqual on Float32Arrays compares with Object.is: bit patterns of ±0 and NaN included
      expect(nat).toStrictEqual(js)
    },
    { fastCheck: { numRuns, seed: 831 } }
  )

  it.prop(
    "sumSquares is bit-identical to the float64 JS sum, from any start, and propagates NaN and ±Inf",
    [
      fc.array(fc.float({ noNaN: false }), { maxLength: 60 }).map((xs) => Float32Array.from(xs)),
      fc.double({ min: 0, max: 1e6, noNaN: true })
    ],
    ([g, acc]) => {
      if (!native.loaded) return
      let want = acc
      for (let i = 0; i < g.length; i++) want += g[i]! * g[i]!
      expect(Object.is(native.addon.sumSquares(g, acc), want)).toBe(true)
    },
    { fastCheck: { numRuns, seed: 832 } }
  )

  it("rejects arrays of different lengths", () => {
    if (!native.loaded) return
    const a = new Float32Array(3)
    expect(() =>
      native.addon.adamw(a, a, new Float32Array(2), a, a, 1, 0.9, 0.999, 1, 1e-3, 1, 1e-8)
    ).toThrow(/adamw/)
  })
})
