/**
 * The native kernels against the stock wasm kernels (and a float64 reference for matmul shapes the
 * stock kernel cannot broadcast): same values within 1e-4 on random shapes, transposes and batch
 * broadcasting, same dtypes, no leaked tensors. Skipped, with a note, when the addon is not built.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { dropoutMaskValues } from "../../src/runtime/dropoutMask.js"
import { disableNativeKernels, enableNativeKernels } from "../../src/runtime/kernels.js"
import { loadNative } from "../../src/runtime/native.js"
import { fusedDropout, fusedLayerNorm, fusedLinear } from "../../src/runtime/nativeKernels.js"
import { tf } from "../../src/runtime/tf.js"
import { makeAdamW } from "../../src/train/adamw.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)
const native = loadNative()
if (!native.loaded) console.warn(`skipping native kernel parity: ${native.reason}`)

/** `f` run with the native kernels, then with the stock ones (plain arrays out). */
const both = <A>(f: () => A): { fast: A; stock: A } => {
  enableNativeKernels()
  const fast = f()
  disableNativeKernels()
  try {
    return { fast, stock: f() }
  } finally {
    enableNativeKernels()
  }
}

const close = (got: ArrayLike<number>, want: ArrayLike<number>) => {
  expect(got.length).toBe(want.length)
  for (let i = 0; i < want.length; i++)
    expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i]!)))
}

const values = (t: tf.Tensor) => Array.from(t.dataSync())

/** Float64 matmul with numpy batch broadcasting (leading dims aligned right, size 1 broadcasts). */
const referenceMatMul = (
  a: ReadonlyArray<number>,
  aShape: ReadonlyArray<number>,
  b: ReadonlyArray<number>,
  bShape: ReadonlyArray<number>,
  ta: boolean,
  tb: boolean
) => {
  const ra = aShape.length
  const rb = bShape.length
  const [m, k] = ta ? [aShape[ra - 1]!, aShape[ra - 2]!] : [aShape[ra - 2]!, aShape[ra - 1]!]
  const n = tb ? bShape[rb - 2]! : bShape[rb - 1]!
  const outerA = aShape.slice(0, -2)
  const outerB = bShape.slice(0, -2)
  const rank = Math.max(outerA.length, outerB.length)
  const pad = (s: ReadonlyArray<number>) => [...new Array<number>(rank - s.length).fill(1), ...s]
  const pa = pad(outerA)
  const pb = pad(outerB)
  const outer = pa.map((d, i) => Math.max(d, pb[i]!))
  const batch = outer.reduce((x, y) => x * y, 1)
  const offset = (dims: ReadonlyArray<number>, index: ReadonlyArray<number>) =>
    dims.reduce((acc, d, i) => acc * d + (d === 1 ? 0 : index[i]!), 0)
  const out: Array<number> = []
  for (let bi = 0; bi < batch; bi++) {
    const index: Array<number> = []
    let rest = bi
    for (let i = rank - 1; i >= 0; i--) {
      index[i] = rest % outer[i]!
      rest = Math.floor(rest / outer[i]!)
    }
    const oa = offset(pa, index) * m * k
    const ob = offset(pb, index) * k * n
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0
        for (let p = 0; p < k; p++)
          s += a[oa + (ta ? p * m + i : i * k + p)]! * b[ob + (tb ? j * k + p : p * n + j)]!
        out.push(s)
      }
  }
  return { shape: [...outer, m, n], out }
}

const dim = fc.integer({ min: 1, max: 7 })
const matmulCase = fc.record({
  m: dim,
  n: dim,
  k: fc.integer({ min: 0, max: 7 }),
  ta: fc.boolean(),
  tb: fc.boolean(),
  // outer dims of each side: absent, equal, or broadcast with 1s (numpy rules)
  outer: fc.constantFrom<[Array<number>, Array<number>]>(
    [[], []],
    [[3], [3]],
    [
      [2, 3],
      [2, 3]
    ],
    [[3], []],
    [[], [4]],
    [[1], [3]],
    [
      [2, 1],
      [1, 3]
    ],
    [[2, 3], [3]],
    [[4], [2, 1, 1]]
  ),
  seed: fc.integer({ min: 1, max: 1_000_000 }) // tfjs reads seed 0 as "no seed"
})

const shapeCase = fc.record({
  shape: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }),
  seed: fc.integer({ min: 1, max: 1_000_000 }) // tfjs reads seed 0 as "no seed"
})

describe.skipIf(!native.loaded)("native kernels (wasm)", () => {
  layer(TensorRuntime.layer({ backend: "wasm" }))("parity with the stock kernels", (it) => {
    it.effect("are active and reported", () =>
      Effect.gen(function* () {
        const info = yield* (yield* TensorRuntime).info
        expect(info.native.active).toBe(true)
        expect(info.native.kernels).toContain("BatchMatMul")
        expect(info.native.blasThreads).toBeGreaterThan(0)
      })
    )

    it.prop(
      "BatchMatMul matches a float64 reference (transposes, broadcasting) and the stock kernel",
      [matmulCase],
      ([c]) => {
        const before = tf.memory().numTensors
        const [outerA, outerB] = c.outer
        const aShape = [...outerA, ...(c.ta ? [c.k, c.m] : [c.m, c.k])]
        const bShape = [...outerB, ...(c.tb ? [c.n, c.k] : [c.k, c.n])]
        const run = () =>
          tf.tidy(() => {
            const a = tf.randomNormal(aShape, 0, 1, "float32", c.seed)
            const b = tf.randomNormal(bShape, 0, 1, "float32", c.seed + 1)
            const out = tf.matMul(a, b, c.ta, c.tb)
            return { a: values(a), b: values(b), out: values(out), shape: out.shape }
          })
        const { fast, stock } = both(run)
        const want = referenceMatMul(fast.a, aShape, fast.b, bShape, c.ta, c.tb)
        expect(fast.shape).toEqual(want.shape)
        close(fast.out, want.out)
        // the stock kernel only broadcasts a batch of 1 or a missing batch, and reads k = 0 as garbage
        const stockHandles =
          c.k > 0 && (outerA.length === 0 || outerB.length === 0 || outerA.join() === outerB.join())
        if (stockHandles) close(fast.out, stock.out)
        expect(tf.memory().numTensors).toBe(before)
      },
      { fastCheck: { numRuns, seed: 808 } }
    )

    it.prop(
      "the gradient of a transposed batched matmul matches the stock kernels",
      [matmulCase.filter((c) => c.k > 0 && c.outer[0].join() === c.outer[1].join())],
      ([c]) => {
        const [outer] = c.outer
        const aShape = [...outer, ...(c.ta ? [c.k, c.m] : [c.m, c.k])]
        const bShape = [...outer, ...(c.tb ? [c.n, c.k] : [c.k, c.n])]
        const { fast, stock } = both(() =>
          tf.tidy(() => {
            const a = tf.randomNormal(aShape, 0, 1, "float32", c.seed)
            const b = tf.randomNormal(bShape, 0, 1, "float32", c.seed + 1)
            const w = tf.randomNormal([...outer, c.m, c.n], 0, 1, "float32", c.seed + 2)
            const [ga, gb] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
              tf.sum(tf.mul(tf.matMul(x, y, c.ta, c.tb), w))
            )([a, b])
            return [...values(ga!), ...values(gb!)]
          })
        )
        close(fast, stock)
      },
      { fastCheck: { numRuns: Math.max(1, Math.floor(numRuns / 4)), seed: 809 } }
    )

    it.prop(
      "Exp, GELU (value and gradient) and leading-axis Sum match the stock kernels",
      [shapeCase],
      ([c]) => {
        const before = tf.memory().numTensors
        const { fast, stock } = both(() =>
          tf.tidy(() => {
            const x = tf.randomNormal(c.shape, 0, 2, "float32", c.seed)
            const gelu = (v: tf.Tensor) => tf.mul(tf.mul(v, 0.5), tf.add(1, tf.erf(tf.mul(v, Math.SQRT1_2))))
            const viaKernel = (v: tf.Tensor) =>
              tf.getKernel("ConcnerGelu", "wasm")
                ? (tf.engine().runKernel("ConcnerGelu", { x: v }) as tf.Tensor)
                : gelu(v)
            const w = tf.randomNormal(c.shape, 0, 1, "float32", c.seed + 1)
            const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(viaKernel(v), w)))(x)
            const lead = Math.max(1, c.shape.length - 1)
            return [
              ...values(tf.exp(x)),
              ...values(viaKernel(x)),
              ...values(g),
              ...values(tf.sum(x, 0)),
              ...values(
                tf.sum(
                  x,
                  Array.from({ length: lead }, (_, i) => i),
                  true
                )
              ),
              ...values(tf.sum(x, -1)) // not leading: the stock kernel
            ]
          })
        )
        close(fast, stock)
        expect(tf.memory().numTensors).toBe(before)
      },
      { fastCheck: { numRuns, seed: 810 } }
    )

    it.prop(
      "LayerNorm (value and the gradients of x, γ, β) matches the plain composition",
      [shapeCase],
      ([c]) => {
        const before = tf.memory().numTensors
        const cols = c.shape.at(-1)!
        const eps = 1e-5
        const run = (fused: boolean) =>
          tf.tidy(() => {
            const x = tf.randomNormal(c.shape, 1, 2, "float32", c.seed)
            const gamma = tf.randomNormal([cols], 1, 0.5, "float32", c.seed + 1)
            const beta = tf.randomNormal([cols], 0, 0.5, "float32", c.seed + 2)
            const w = tf.randomNormal(c.shape, 0, 1, "float32", c.seed + 3)
            const plain = (v: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
              const { mean, variance } = tf.moments(v, -1, true)
              return tf.add(tf.mul(tf.mul(tf.sub(v, mean), tf.rsqrt(tf.add(variance, eps))), g), b)
            }
            const ln = (v: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
              if (!fused) return plain(v, g, b)
              const out = fusedLayerNorm(v, g, b, eps)
              if (out === undefined) throw new Error("the fused LayerNorm kernel is not registered")
              return out
            }
            const grads = tf.grads((v: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
              tf.sum(tf.mul(ln(v, g, b), w))
            )([x, gamma, beta])
            return [...values(ln(x, gamma, beta)), ...grads.flatMap(values)]
          })
        close(run(true), run(false))
        expect(tf.memory().numTensors).toBe(before)
      },
      { fastCheck: { numRuns, seed: 812 } }
    )

    it.prop(
      "fusedDropout is x · dropoutMaskValues and its gradient dy · the same mask, bit for bit",
      [
        fc.oneof(
          shapeCase,
          fc.record({ shape: fc.tuple(fc.integer({ min: 1, max: 5000 })), seed: fc.nat() })
        ),
        fc.string({ maxLength: 12 }),
        fc.oneof(
          fc.constantFrom(0.1, 0.5, 0.05, 0.9, 1 / 3),
          fc.double({ min: 0.001, max: 0.999, noNaN: true })
        )
      ],
      ([c, seed, rate]) => {
        const before = tf.memory().numTensors
        const size = c.shape.reduce((a, b) => a * b, 1)
        const want = dropoutMaskValues(size, 1 - rate, seed)
        const [mask, fast, stock, grad, stockGrad] = tf.tidy(() => {
          const x = tf.randomNormal(c.shape, 0, 1, "float32", c.seed + 1)
          const dy = tf.randomNormal(c.shape, 0, 1, "float32", c.seed + 2)
          const drop = (v: tf.Tensor) => {
            const fused = fusedDropout(v, rate, seed)
            if (fused === undefined) throw new Error("the native dropout kernel is not registered")
            return fused
          }
          const m = tf.tensor(want, c.shape)
          return [
            values(drop(tf.ones(c.shape))),
            values(drop(x)),
            values(tf.mul(x, m)),
            values(tf.grad(drop)(x, dy)),
            values(tf.mul(dy, m))
          ]
        })
        expect(mask).toEqual(Array.from(want))
        expect(fast).toEqual(stock)
        expect(grad).toEqual(stockGrad)
        expect(tf.memory().numTensors).toBe(before)
      },
      { fastCheck: { numRuns, seed: 813 } }
    )

    it.prop(
      "GatherV2 (axis 0), broadcasting Equal, Identity, Cast and Transpose match the stock kernels",
      [shapeCase],
      ([c]) => {
        const before = tf.memory().numTensors
        const { fast, stock } = both(() =>
          tf.tidy(() => {
            const x = tf.randomNormal(c.shape, 0, 1, "float32", c.seed)
            const rows = c.shape[0]!
            const ids = tf.tensor1d(
              Array.from({ length: 5 }, (_, i) => (i * 7 + c.seed) % rows),
              "int32"
            )
            const labels = tf.tensor1d(
              Array.from({ length: c.shape.at(-1)! + 3 }, (_, i) => (i * c.seed) % 3),
              "int32"
            )
            const perm = c.shape.map((_, i) => i)
            return [
              ...values(tf.gather(x, ids)),
              ...values(tf.gather(x, tf.tensor2d([0, rows - 1, 0, 0], [2, 2], "int32"))),
              ...values(tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0))),
              ...values(
                tf.equal(
                  tf.expandDims(tf.cast(labels, "float32"), 1),
                  tf.expandDims(tf.cast(labels, "float32"), 0)
                )
              ),
              ...values(tf.equal(x, tf.gather(x, tf.tensor1d([0], "int32")))),
              ...values(tf.clone(x)),
              ...values(tf.cast(x, "float32")),
              ...values(tf.cast(tf.mul(x, 3), "int32")),
              ...values(tf.transpose(x, perm)),
              ...values(tf.transpose(x))
            ]
          })
        )
        expect(fast).toEqual(stock)
        expect(tf.memory().numTensors).toBe(before)
      },
      { fastCheck: { numRuns, seed: 811 } }
    )

    it.prop(
      "the fused linear (bias in the GEMM's epilogue) gives matMul + add's bits",
      [
        fc.record({
          n: fc.integer({ min: 1, max: 70 }),
          inp: fc.integer({ min: 1, max: 40 }),
          out: fc.integer({ min: 1, max: 40 }),
          seed: fc.integer({ min: 1, max: 1_000_000 })
        })
      ],
      ([c]) => {
        const before = tf.memory().numTensors
        const [fused, plain] = tf.tidy(() => {
          const x = tf.randomNormal([c.n, c.inp], 0, 1, "float32", c.seed)
          const w = tf.randomNormal([c.out, c.inp], 0, 1, "float32", c.seed + 1)
          const b = tf.randomNormal([c.out], 0, 1, "float32", c.seed + 2)
          return [values(fusedLinear(x, w, b)!), values(tf.add(tf.matMul(x, w, false, true), b))]
        })
        expect(fused).toEqual(plain)
        expect(tf.memory().numTensors).toBe(before)
      },
      { fastCheck: { numRuns, seed: 97 } }
    )

    it.effect("GatherV2 rejects an out-of-range index", () =>
      Effect.sync(() => {
        const before = tf.memory().numTensors
        expect(() => tf.tidy(() => tf.gather(tf.ones([3, 2]), tf.tensor1d([1, 3], "int32")))).toThrow(
          /index value 3 is not in \[0, 2\]/
        )
        expect(tf.memory().numTensors).toBe(before)
      })
    )

    it.scoped("AdamW never writes a parameter buffer that a zero-copy alias shares", () =>
      Effect.gen(function* () {
        const v = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3])))
        yield* Effect.addFinalizer(() => Effect.sync(() => v.dispose()))
        expect(tf.backend().refCount(v.dataId)).toBe(1)
        const alias = tf.clone(v) // Identity kernel: shares v's buffer through the native Identity
        yield* Effect.addFinalizer(() => Effect.sync(() => alias.dispose()))
        expect(tf.backend().refCount(v.dataId)).toBe(2)
        const opt = yield* makeAdamW({ v })
        opt.update({ v: Float32Array.of(1, 1, 1) }, 0.1)
        expect(values(alias)).toEqual([1, 2, 3])
        expect(values(v).every((x, i) => x < [1, 2, 3][i]!)).toBe(true)
      })
    )
  })
})
