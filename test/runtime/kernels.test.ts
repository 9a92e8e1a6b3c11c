import { describe, expect, layer } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { tf } from "../../src/runtime/tf.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)

/** Segment-first reference, in float64: out[s] = Σ rows i with ids[i] = s (other ids dropped). */
const reference = (x: ArrayLike<number>, ids: ReadonlyArray<number>, numSegments: number, inner: number) => {
  const out = new Array<number>(numSegments * inner).fill(0)
  for (let s = 0; s < numSegments; s++) {
    ids.forEach((id, i) => {
      if (id !== s) return
      for (let j = 0; j < inner; j++) out[s * inner + j] = out[s * inner + j]! + x[i * inner + j]!
    })
  }
  return out
}

const segmentCase = fc
  .record({
    numSegments: fc.integer({ min: 1, max: 9 }),
    rows: fc.integer({ min: 0, max: 24 }),
    innerShape: fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }),
    dtype: fc.constantFrom("float32" as const, "int32" as const),
    seed: fc.integer()
  })
  .chain((c) =>
    fc.record({
      c: fc.constant(c),
      // includes ids outside [0, numSegments): the kernel must drop them like the reference
      ids: fc.array(fc.integer({ min: -2, max: c.numSegments + 1 }), { minLength: c.rows, maxLength: c.rows })
    })
  )

/** Embedding gradient d/dE Σ gather(E, ids) ⊙ w, worked out by hand: row v gets Σ_{ids[p]=v} w[p]. */
const embeddingCase = () => {
  const V = 30
  const H = 8
  const ids = [
    [3, 7, 3, 0, 29],
    [7, 7, 1, 3, 12]
  ]
  const w = Array.from({ length: 10 * H }, (_, i) => Math.sin(i) / 2)
  const expected = new Array<number>(V * H).fill(0)
  ids.flat().forEach((v, p) => {
    for (let j = 0; j < H; j++) expected[v * H + j] = expected[v * H + j]! + w[p * H + j]!
  })
  const grad = () =>
    tf.tidy(() => {
      const emb = tf.randomNormal([V, H], 0, 1, "float32", 7)
      const idsT = tf.tensor2d(ids, [2, 5], "int32")
      const wT = tf.tensor3d(w, [2, 5, H])
      const g = tf.grad((e: tf.Tensor) => tf.sum(tf.mul(tf.gather(e, idsT), wT)))(emb)
      return Array.from(g.dataSync())
    })
  return { expected, grad }
}

/**
 * Gradients of a BERT-shaped loss (embeddings, LayerNorm, masked multi-head attention with batched
 * and transposed matMuls, erf GELU, logSoftmax CE, an LCL-like masked logSumExp) for every
 * parameter, as plain arrays. Any kernel missing on the current backend throws here.
 */
const bertLikeGrads = () =>
  tf.tidy(() => {
    const [V, H, NH, B, T, C] = [40, 8, 2, 2, 5, 3]
    const r = (shape: Array<number>, seed: number) => tf.randomNormal(shape, 0, 0.3, "float32", seed)
    const params = {
      word: r([V, H], 1),
      pos: r([T, H], 2),
      q: r([H, H], 3),
      k: r([H, H], 4),
      f: r([H, 2 * H], 5)
    }
    const cls = r([2 * H, C], 6)
    const ids = tf.tensor2d([3, 9, 9, 0, 39, 7, 7, 1, 0, 0], [B, T], "int32")
    const mask = tf.tensor2d([1, 1, 1, 1, 1, 1, 1, 1, 0, 0], [B, T])
    const labels = tf.tensor1d([0, 1, 2, 0, 1, 1, 1, 0, 2, 2], "int32")
    const loss = (word: tf.Tensor, pos: tf.Tensor, q: tf.Tensor, k: tf.Tensor, f: tf.Tensor) => {
      const e = tf.add(tf.gather(word, ids), tf.gather(pos, tf.range(0, T, 1, "int32"))) // (B, T, H)
      const { mean, variance } = tf.moments(e, -1, true)
      const x = tf.reshape(tf.div(tf.sub(e, mean), tf.sqrt(tf.add(variance, 1e-12))), [B * T, H])
      const heads = (w: tf.Tensor) =>
        tf.transpose(tf.reshape(tf.matMul(x, w), [B, T, NH, H / NH]), [0, 2, 1, 3])
      const scores = tf.add(
        tf.div(tf.matMul(heads(q), heads(k), false, true), Math.sqrt(H / NH)), // (B, NH, T, T)
        tf.reshape(tf.mul(tf.sub(1, mask), -1e4), [B, 1, 1, T])
      )
      const ctx = tf.reshape(tf.transpose(tf.matMul(tf.softmax(scores), heads(q)), [0, 2, 1, 3]), [B * T, H])
      const h = tf.matMul(ctx, f)
      const gelu = tf.mul(tf.mul(h, 0.5), tf.add(1, tf.erf(tf.div(h, Math.SQRT2))))
      const ce = tf.neg(
        tf.mean(tf.sum(tf.mul(tf.oneHot(labels, C), tf.logSoftmax(tf.matMul(gelu, cls))), -1))
      )
      const sim = tf.matMul(gelu, gelu, false, true)
      const lcl = tf.mean(
        tf.logSumExp(tf.where(tf.cast(tf.eye(B * T), "bool"), tf.fill([B * T, B * T], -1e4), sim), -1)
      )
      return tf.add(ce, tf.mul(0.1, lcl)) as tf.Scalar
    }
    const grads = tf.grads(loss)([params.word, params.pos, params.q, params.k, params.f])
    return grads.map((g) => Array.from(g.dataSync()))
  })

for (const backend of ["cpu", "wasm"] as const) {
  layer(TensorRuntime.layer({ backend }))(`UnsortedSegmentSum on ${backend}`, (it) => {
    it.effect("is concner's kernel", () =>
      Effect.gen(function* () {
        const info = yield* (yield* TensorRuntime).info
        expect(info.customKernels).toContain(`UnsortedSegmentSum (${backend})`)
        expect(tf.getBackend()).toBe(backend)
      })
    )

    it.prop(
      "matches a naive reference on random shapes, dtypes and ids",
      [segmentCase],
      ([{ c, ids }]) => {
        const before = tf.memory().numTensors
        const shape = [c.rows, ...c.innerShape]
        const inner = c.innerShape.reduce((a, b) => a * b, 1)
        const got = tf.tidy(() => {
          const x =
            c.dtype === "int32"
              ? tf.randomUniform(shape, -50, 50, "int32", c.seed)
              : tf.randomNormal(shape, 0, 1, "float32", c.seed)
          const out = tf.unsortedSegmentSum(x, tf.tensor1d(ids, "int32"), c.numSegments)
          expect(out.shape).toEqual([c.numSegments, ...c.innerShape])
          expect(out.dtype).toBe(c.dtype)
          return { x: Array.from(x.dataSync()), out: Array.from(out.dataSync()) }
        })
        const want = reference(got.x, ids, c.numSegments, inner)
        if (c.dtype === "int32") expect(got.out).toEqual(want)
        else got.out.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 4))
        expect(tf.memory().numTensors).toBe(before)
      },
      { fastCheck: { numRuns, seed: 4242 } }
    )

    it.effect("gives the hand-computed embedding gradient", () =>
      Effect.sync(() => {
        const { expected, grad } = embeddingCase()
        grad().forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5))
      })
    )
  })
}

describe("embedding gradient across backends", () => {
  layer(TensorRuntime.layer({ backend: "cpu" }))("cpu then wasm", (it) => {
    it.effect("wasm matches cpu", () =>
      Effect.gen(function* () {
        const onCpu = embeddingCase().grad()
        expect(tf.getBackend()).toBe("cpu")
        // no tensor survives the switch: both results are plain arrays
        const onWasm = yield* Effect.provide(
          Effect.sync(() => embeddingCase().grad()),
          TensorRuntime.layer({ backend: "wasm" })
        )
        expect(tf.getBackend()).toBe("wasm")
        onWasm.forEach((v, i) => expect(v).toBeCloseTo(onCpu[i]!, 5))
      })
    )

    it.effect("a BERT-shaped backward pass runs on wasm and matches cpu", () =>
      Effect.gen(function* () {
        const onCpu = bertLikeGrads()
        const onWasm = yield* Effect.provide(
          Effect.sync(bertLikeGrads),
          TensorRuntime.layer({ backend: "wasm" })
        )
        expect(onWasm.map((g) => g.length)).toEqual(onCpu.map((g) => g.length))
        onCpu.forEach((g, p) => {
          expect(g.some((v) => v !== 0)).toBe(true)
          g.forEach((v, i) => expect(Math.abs(onWasm[p]![i]! - v)).toBeLessThan(1e-4 * (1 + Math.abs(v))))
        })
      }).pipe(Effect.provide(TensorRuntime.layer({ backend: "cpu" })))
    )
  })
})
