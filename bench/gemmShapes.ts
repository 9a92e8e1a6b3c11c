/**
 * The GEMM alone: GFLOP/s of each GEMM the addon has (built-in, OpenBLAS where built in) on the
 * products of one training step of the bench model — the linear layers forward (x·Wᵀ), their input
 * and weight gradients (dy·W, dyᵀ·x), the batched attention products (q·kᵀ, p·v) and LCL's cosine
 * matrix — over the same inputs, the GEMMs interleaved per shape.
 */
import type { NativeAddon } from "../src/runtime/native.js"
import { type BenchSize, PAIRS, benchSizes, isLabeled } from "./workload.js"

interface Shape {
  readonly name: string
  readonly batch: number
  readonly m: number
  readonly n: number
  readonly k: number
  readonly ta: boolean
  readonly tb: boolean
}

/** The step's products (per layer; the LCL cosines once). */
export const stepShapes = (size: BenchSize, seq: number): ReadonlyArray<Shape> => {
  const { hidden_size: h, intermediate_size: f, num_attention_heads: heads } = benchSizes[size]
  const rows = 2 * PAIRS * seq
  const labeled = 2 * PAIRS * Array.from({ length: seq }, (_, t) => t).filter((t) => isLabeled(t, seq)).length
  const d = h / heads
  const one = (name: string, m: number, n: number, k: number, ta: boolean, tb: boolean): Shape => ({
    name,
    batch: 1,
    m,
    n,
    k,
    ta,
    tb
  })
  return [
    one(`x·Wᵀ ${rows}×${h}×${h}`, rows, h, h, false, true),
    one(`x·Wᵀ ${rows}×${f}×${h} (FFN in)`, rows, f, h, false, true),
    one(`x·Wᵀ ${rows}×${h}×${f} (FFN out)`, rows, h, f, false, true),
    one(`dy·W ${rows}×${h}×${f}`, rows, h, f, false, false),
    one(`dyᵀ·x ${f}×${h}×${rows}`, f, h, rows, true, false),
    {
      name: `q·kᵀ ${2 * PAIRS * heads}×(${seq}×${seq}×${d})`,
      batch: 2 * PAIRS * heads,
      m: seq,
      n: seq,
      k: d,
      ta: false,
      tb: true
    },
    {
      name: `p·v ${2 * PAIRS * heads}×(${seq}×${d}×${seq})`,
      batch: 2 * PAIRS * heads,
      m: seq,
      n: d,
      k: seq,
      ta: false,
      tb: false
    },
    one(`LCL cos ${labeled}×${labeled}×${h}`, labeled, labeled, h, false, true)
  ]
}

const fill = (n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 0.5)

/** Median GFLOP/s of each GEMM on each shape (`reps` timed calls each, after one warm-up). */
export const gemmTable = (addon: NativeAddon, size: BenchSize, seq: number, reps: number) => {
  const gemms = addon.blasInfo() === "" ? ["builtin"] : ["builtin", "openblas"]
  const isa = addon.gemmIsas()[0]
  const before = addon.setGemm()
  const rows = stepShapes(size, seq).map((s) => {
    const a = fill(s.batch * s.m * s.k)
    const b = fill(s.batch * s.k * s.n)
    const out = new Float32Array(s.batch * s.m * s.n)
    const aOff = Int32Array.from({ length: s.batch }, (_, i) => i * s.m * s.k)
    const bOff = Int32Array.from({ length: s.batch }, (_, i) => i * s.k * s.n)
    const call = () => addon.batchMatMul(a, b, out, aOff, bOff, s.m, s.n, s.k, s.ta, s.tb)
    const times: Record<string, Array<number>> = Object.fromEntries(gemms.map((g) => [g, []]))
    for (let r = 0; r <= reps; r++)
      for (const g of gemms) {
        addon.setGemm(g, isa)
        const start = process.hrtime.bigint()
        call()
        if (r > 0) times[g]!.push(Number(process.hrtime.bigint() - start) / 1e9)
      }
    const flops = 2 * s.batch * s.m * s.n * s.k
    const gflops = Object.fromEntries(
      gemms.map((g) => {
        const sorted = [...times[g]!].sort((x, y) => x - y)
        return [g, Number((flops / sorted[Math.floor(sorted.length / 2)]! / 1e9).toFixed(1))]
      })
    )
    return { shape: s.name, gflops }
  })
  const [name, was] = before.split(" ")
  addon.setGemm(name, was ?? isa)
  return rows
}
