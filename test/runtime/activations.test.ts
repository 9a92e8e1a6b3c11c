/**
 * The addon's exp and GELU loops (native/src/activations.c): the AVX2 loop and the scalar one give
 * the same bits for every element — ordinary values, both clamps of exp, ±0, ±Inf, NaN, lengths
 * that leave a tail of 1–7 — at any thread count; and GELU stays within float32 rounding of
 * x·Φ(x) computed in float64. Skipped, with a note, when the addon is not built.
 */
import { describe, expect, it } from "@effect/vitest"
import { loadNative } from "../../src/runtime/native.js"
import { restoreNativeSettings } from "../support/native.js"

const native = loadNative()
if (!native.loaded) console.warn(`skipping the activation loop tests: ${native.reason}`)

/** Edge values, then a seeded spread over [-12, 12] (GELU's interesting range) and exp's [-100, 100]. */
const inputs = (n: number) => {
  const edges = [0, -0, 1, -1, -87.3, -87.30001, 88.7, 88.70001, 1e-30, -1e-30, 3.4e38, -3.4e38]
  const special = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]
  let s = 12345
  return Float32Array.from({ length: n }, (_, i) => {
    if (i < edges.length) return edges[i]!
    if (i < edges.length + special.length) return special[i - edges.length]!
    s = (Math.imul(s, 1103515245) + 12345) >>> 0
    const u = s / 2 ** 32
    return i % 3 === 0 ? (u - 0.5) * 200 : (u - 0.5) * 24
  })
}

const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer).equals(Buffer.from(b.buffer))

/** erf by its Maclaurin series (|z| < 3) or the continued fraction of erfc: float64, far below float32's rounding. */
const erf = (z: number): number => {
  const a = Math.abs(z)
  if (a < 3) {
    let term = a
    let sum = a
    for (let k = 1; k < 200; k++) {
      term *= (-a * a) / k
      sum += term / (2 * k + 1)
    }
    return Math.sign(z) * ((2 / Math.sqrt(Math.PI)) * sum)
  }
  let f = 0
  for (let k = 60; k >= 1; k--) f = k / 2 / (a + f)
  return Math.sign(z) * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / (a + f))
}

describe.skipIf(!native.loaded)("native exp and GELU loops", () => {
  if (!native.loaded) return
  const addon = native.addon
  const isas = addon.gemmIsas()
  restoreNativeSettings(addon)

  /** `f`'s output on every instruction set and thread count (1, 2, 3). */
  const everywhere = (f: (out: Float32Array) => void, n: number) =>
    isas.flatMap((isa) =>
      [1, 2, 3].map((threads) => {
        addon.setGemm("builtin", isa)
        addon.setThreads(threads)
        const out = new Float32Array(n).fill(7)
        f(out)
        return out
      })
    )

  for (const n of [1, 7, 8, 9, 15, 31, 100_003])
    it(`${n} elements: exp, gelu and geluGrad give the same bits on ${isas.join(", ")} at 1–3 threads`, () => {
      const x = inputs(n)
      const dy = inputs(n + 5).subarray(5)
      for (const f of [
        (out: Float32Array) => addon.exp(x, out),
        (out: Float32Array) => addon.gelu(x, out),
        (out: Float32Array) => addon.geluGrad(x, dy, out)
      ]) {
        const outs = everywhere(f, n)
        for (const out of outs) expect(same(out, outs[0]!)).toBe(true)
      }
    })

  it("gelu is x·Φ(x) within float32 rounding; exp keeps its clamps, NaN and infinities", () => {
    const x = inputs(4096)
    addon.setGemm("builtin", isas[0])
    const g = new Float32Array(x.length)
    const e = new Float32Array(x.length)
    addon.gelu(x, g)
    addon.exp(x, e)
    for (let i = 15; i < x.length; i++) {
      const v = x[i]!
      const want = v * 0.5 * (1 + erf(v / Math.SQRT2))
      expect(Math.abs(g[i]! - want)).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(want)))
      if (Math.abs(v) < 87) expect(Math.abs(e[i]! / Math.exp(v) - 1)).toBeLessThan(1e-6)
    }
    // the clamps: -87.3 itself is computed, below it 0; above 88.7 +Inf
    expect(e[4]).toBeGreaterThan(0)
    expect(e[5]).toBe(0)
    expect(e[7]).toBe(Number.POSITIVE_INFINITY)
    expect([e[12], e[13], e[14]]).toEqual([Number.NaN, Number.POSITIVE_INFINITY, 0])
    expect([g[12], g[13]]).toEqual([Number.NaN, Number.POSITIVE_INFINITY])
  })
})
