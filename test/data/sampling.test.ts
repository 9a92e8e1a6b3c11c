import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { hashSeed, mulberry32, sampleIndices } from "../../src/data/sampling.js"
import { propOptions } from "./arbitraries.js"

describe("seeded sampling", () => {
  // Pinned outputs: a change here changes every experiment's sample, on every machine.
  it("is pinned: mulberry32, FNV-1a and the partial Fisher–Yates give these values", () => {
    const next = mulberry32(42)
    expect([next(), next(), next()].map((x) => x * 2 ** 32)).toStrictEqual([
      2581720956, 1925393290, 3661312704
    ])
    expect([hashSeed(""), hashSeed("concner")]).toStrictEqual([2166136261, 2932782101])
    expect(sampleIndices(14041, 8, 42)).toStrictEqual([8440, 6294, 11969, 9404, 2457, 7396, 3840, 8774])
    expect(sampleIndices(100, 5, "concner")).toStrictEqual([77, 52, 64, 63, 83])
  })

  it.prop(
    "draws k distinct indices in range, deterministically, and a prefix of any larger sample",
    [
      fc
        .integer({ min: 0, max: 300 })
        .chain((n) => fc.tuple(fc.constant(n), fc.nat(n), fc.nat(n), fc.oneof(fc.nat(), fc.string())))
    ],
    ([[n, a, b, seed]]) => {
      const [k, m] = a <= b ? [a, b] : [b, a]
      const sample = sampleIndices(n, k, seed)
      expect(new Set(sample).size).toBe(k)
      expect(sample.every((i) => Number.isInteger(i) && i >= 0 && i < n)).toBe(true)
      expect(sampleIndices(n, k, seed)).toStrictEqual(sample)
      expect(sampleIndices(n, m, seed).slice(0, k)).toStrictEqual(sample)
    },
    propOptions(51)
  )

  it("samples every index about equally often", () => {
    const counts = new Array<number>(10).fill(0)
    for (let seed = 0; seed < 20000; seed++) for (const i of sampleIndices(10, 3, seed)) counts[i]!++
    // expected 6000 each; the standard deviation is about 65
    for (const c of counts) expect(Math.abs(c - 6000)).toBeLessThan(400)
  })

  it("rejects k outside 0..n", () => {
    expect(() => sampleIndices(3, 4, 1)).toThrow(RangeError)
    expect(() => sampleIndices(3, -1, 1)).toThrow(RangeError)
    expect(sampleIndices(0, 0, 1)).toStrictEqual([])
  })
})
