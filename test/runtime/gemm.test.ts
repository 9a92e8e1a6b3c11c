/**
 * The addon's built-in GEMM against a float64 product: edge sizes (1, 7, 17, 63, 64, 65, 1000+),
 * every transpose, batches with repeated (broadcast) and strided offsets, a bias row; the same bits
 * for every instruction set this CPU has, every thread count and two runs; OpenBLAS (where built in)
 * close to it. Skipped, with a note, when the addon is not built.
 */
import { describe, expect, it } from "@effect/vitest"
import { loadNative } from "../../src/runtime/native.js"
import { restoreNativeSettings } from "../support/native.js"

const native = loadNative()
if (!native.loaded) console.warn(`skipping the built-in GEMM tests: ${native.reason}`)

/** A seeded stream of floats in [-1, 1) (xorshift32): the same inputs on every run. */
const randoms = (seed: number, n: number) => {
  let s = seed >>> 0 || 1
  return Float32Array.from({ length: n }, () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 31 - 1
  })
}

interface Case {
  readonly m: number
  readonly n: number
  readonly k: number
  readonly ta: boolean
  readonly tb: boolean
  readonly aOffsets: Int32Array
  readonly bOffsets: Int32Array
  readonly bias?: Float32Array | undefined
}

/** Inputs big enough for the largest offset, the product's output, and its float64 reference. */
const makeCase = (c: Case, seed: number) => {
  const a = randoms(seed, Math.max(...c.aOffsets) + c.m * c.k)
  const b = randoms(seed + 1, Math.max(...c.bOffsets) + c.k * c.n)
  const batch = c.aOffsets.length
  const want = new Float64Array(batch * c.m * c.n)
  const scale = new Float64Array(batch * c.m * c.n) // Σ |a b|: the bound float32 rounding scales with
  for (let i = 0; i < batch; i++)
    for (let r = 0; r < c.m; r++)
      for (let j = 0; j < c.n; j++) {
        let s = 0
        let abs = 0
        for (let p = 0; p < c.k; p++) {
          const x = a[c.aOffsets[i]! + (c.ta ? p * c.m + r : r * c.k + p)]!
          const y = b[c.bOffsets[i]! + (c.tb ? j * c.k + p : p * c.n + j)]!
          s += x * y
          abs += Math.abs(x * y)
        }
        const o = (i * c.m + r) * c.n + j
        want[o] = s + (c.bias?.[j] ?? 0)
        scale[o] = abs + Math.abs(c.bias?.[j] ?? 0)
      }
  return { a, b, want, scale }
}

/** The largest error of `out` in units of its element's rounding bound Σ |a b| (≤ 1e-5 passes). */
const worstError = (out: Float32Array, want: Float64Array, scale: Float64Array) => {
  let worst = 0
  for (let o = 0; o < want.length; o++) {
    const err = Math.abs(out[o]! - want[o]!)
    // NaN (an element left unwritten) must fail, not compare false
    worst = Math.max(worst, Number.isNaN(err) ? Number.POSITIVE_INFINITY : err / Math.max(scale[o]!, 1e-30))
  }
  return worst
}

const run = (c: Case, a: Float32Array, b: Float32Array) => {
  if (!native.loaded) throw new Error("no addon")
  const out = new Float32Array(c.aOffsets.length * c.m * c.n).fill(Number.NaN) // nothing may be left unwritten
  native.addon.batchMatMul(a, b, out, c.aOffsets, c.bOffsets, c.m, c.n, c.k, c.ta, c.tb, c.bias)
  return out
}

const single = Int32Array.of(0)
const sizes: ReadonlyArray<[number, number, number]> = [
  [1, 1, 1],
  [7, 17, 63],
  [64, 64, 64],
  [65, 63, 65],
  [17, 1, 1000],
  [1, 65, 17],
  [1031, 7, 33],
  [63, 1003, 9],
  [130, 70, 300]
]
const cases: ReadonlyArray<Case & { name: string }> = [
  ...sizes.flatMap(([m, n, k]) =>
    [false, true].flatMap((ta) =>
      [false, true].map((tb) => ({
        name: `${m}×${n}×${k}${ta ? " Aᵀ" : ""}${tb ? " Bᵀ" : ""}`,
        m,
        n,
        k,
        ta,
        tb,
        aOffsets: single,
        bOffsets: single
      }))
    )
  ),
  // batched: a broadcast over b's batch (offset repeated), b strided past padding between items
  {
    name: "batch 3, a broadcast",
    m: 9,
    n: 20,
    k: 33,
    ta: false,
    tb: true,
    aOffsets: Int32Array.of(0, 0, 0),
    bOffsets: Int32Array.of(0, 700, 1400)
  },
  {
    name: "batch 4, both strided",
    m: 64,
    n: 64,
    k: 32,
    ta: true,
    tb: false,
    aOffsets: Int32Array.of(0, 2048, 4096, 6144),
    bOffsets: Int32Array.of(5000, 0, 2500, 7500)
  },
  { name: "k = 0 (zeros)", m: 5, n: 6, k: 0, ta: false, tb: false, aOffsets: single, bOffsets: single },
  {
    name: "bias row",
    m: 33,
    n: 70,
    k: 129,
    ta: false,
    tb: true,
    aOffsets: single,
    bOffsets: single,
    bias: randoms(9, 70)
  }
]

describe.skipIf(!native.loaded)("built-in GEMM", () => {
  if (!native.loaded) return
  const addon = native.addon
  const isas = addon.gemmIsas()
  restoreNativeSettings(addon)

  it("runs on the widest instruction set of this CPU, portable always among them", () => {
    expect(isas.at(-1)).toBe("portable")
    expect(addon.setGemm("builtin", isas[0])).toBe(`builtin ${isas[0]}`)
    expect(() => addon.setGemm("builtin", "sse9")).toThrow(/avx512, avx2 or portable/)
  })

  for (const [index, c] of cases.entries())
    it(`${c.name}: within 1e-5 of float64, the same bits on every instruction set, thread count and run`, () => {
      const { a, b, want, scale } = makeCase(c, 17 + index)
      const outs = isas.flatMap((isa) =>
        [1, 2, 3, 2].map((threads) => {
          addon.setGemm("builtin", isa)
          addon.setThreads(threads)
          return run(c, a, b)
        })
      )
      const first = outs[0]!
      expect(worstError(first, want, scale)).toBeLessThanOrEqual(1e-5)
      for (const out of outs) expect(Buffer.from(out.buffer).equals(Buffer.from(first.buffer))).toBe(true)
    })

  it("adds the bias exactly as a separate float32 addition would", () => {
    const c = cases.at(-1)!
    const { a, b } = makeCase(c, 3)
    addon.setGemm("builtin", isas[0])
    const withBias = run(c, a, b)
    const plain = run({ ...c, bias: undefined }, a, b)
    const added = plain.map((v, o) => Math.fround(v + c.bias![o % c.n]!))
    expect(Buffer.from(withBias.buffer).equals(Buffer.from(added.buffer))).toBe(true)
  })

  it.skipIf(native.openblas === "")("OpenBLAS, where built in, gives the same products within 1e-5", () => {
    for (const [index, c] of cases.entries()) {
      const { a, b, want, scale } = makeCase(c, 17 + index)
      addon.setGemm("openblas")
      expect(worstError(run(c, a, b), want, scale)).toBeLessThanOrEqual(1e-5)
    }
  })

  it("refuses bad arguments with the reason", () => {
    expect(() => addon.setGemm("mkl")).toThrow(/builtin or openblas/)
    expect(() =>
      addon.batchMatMul(
        new Float32Array(4),
        new Float32Array(4),
        new Float32Array(4),
        single,
        single,
        2,
        2,
        2,
        false,
        false,
        new Float32Array(1)
      )
    ).toThrow(/bias must be a Float32Array of n/)
  })
})
