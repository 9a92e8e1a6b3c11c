import { beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, FastCheck as fc } from "effect"
import { tf } from "../../src/runtime/tf.js"
import { type AdamW, AdamWConfig, isDecayed, makeAdamW } from "../../src/train/adamw.js"
import { clipGradNorm, gradBuffers } from "../../src/train/clip.js"
import { OptimizerStateMismatch } from "../../src/train/errors.js"
import { linearWarmupDecay } from "../../src/train/schedule.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)

// small deterministic PRNG (mulberry32) so the float64 reference and the tensors start equal
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5
}

const shapes: Record<string, Array<number>> = {
  "encoder.dense.weight": [3, 4],
  "encoder.dense.bias": [4],
  "encoder.LayerNorm.weight": [4]
}

const makeParams = (seed: number) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const rand = prng(seed)
      return Object.fromEntries(
        Object.entries(shapes).map(([name, s]) => {
          const values = Float32Array.from({ length: s.reduce((a, b) => a * b, 1) }, rand)
          return [name, tf.tidy(() => tf.variable(tf.tensor(values, s)))]
        })
      ) as Record<string, tf.Variable>
    }),
    (params) => Effect.sync(() => tf.dispose(Object.values(params)))
  )

/** Gradient at step t: depends on θ (so errors would feed back) plus a fixed per-step term. */
const gradOf = (theta: ArrayLike<number>, t: number, name: string): Array<number> =>
  Array.from(
    theta,
    (x, i) => 2 * (1 + (i % 3)) * x + Math.sin(t * 7 + i + name.length) * (t % 3 === 2 ? 4 : 0.5)
  )

/** torch.optim.AdamW's documented algorithm in float64, with clip_grad_norm_ and the HF schedule. */
const reference = (
  init: Record<string, Array<number>>,
  steps: number,
  o: { lr: number; warmup: number; wd: number; maxNorm: number; beta1: number; beta2: number; eps: number }
) => {
  const theta = structuredClone(init)
  const m = Object.fromEntries(Object.entries(init).map(([k, x]) => [k, x.map(() => 0)]))
  const v = structuredClone(m)
  for (let t = 1; t <= steps; t++) {
    const lr = linearWarmupDecay({ lr: o.lr, warmupSteps: o.warmup, totalSteps: steps })(t - 1)
    const g = Object.fromEntries(Object.entries(theta).map(([k, x]) => [k, gradOf(x, t, k)]))
    const total = Math.sqrt(Object.values(g).reduce((s, x) => s + x.reduce((a, b) => a + b * b, 0), 0))
    const coef = Math.min(1, o.maxNorm / (total + 1e-6))
    for (const k of Object.keys(theta)) {
      const th = theta[k]!
      const decays = shapes[k]!.length >= 2
      for (let i = 0; i < th.length; i++) {
        const gi = g[k]![i]! * coef
        if (decays) th[i] = th[i]! - lr * o.wd * th[i]!
        m[k]![i] = o.beta1 * m[k]![i]! + (1 - o.beta1) * gi
        v[k]![i] = o.beta2 * v[k]![i]! + (1 - o.beta2) * gi * gi
        const mHat = m[k]![i]! / (1 - o.beta1 ** t)
        const vHat = v[k]![i]! / (1 - o.beta2 ** t)
        th[i] = th[i]! - (lr * mHat) / (Math.sqrt(vHat) + o.eps)
      }
    }
  }
  return theta
}

/** max |actual − expected| / max |expected| over a tensor: float32 storage alone makes elementwise
 * relative errors of elements near 0 large, so the error is measured against the tensor's scale. */
const maxRelError = (actual: ArrayLike<number>, expected: ArrayLike<number>) => {
  let worstDiff = 0
  let scale = 0
  for (let i = 0; i < expected.length; i++) {
    worstDiff = Math.max(worstDiff, Math.abs(actual[i]! - expected[i]!))
    scale = Math.max(scale, Math.abs(expected[i]!))
  }
  return worstDiff / scale
}

// the wasm backend has the higher priority and needs async init; these tests use cpu
beforeAll(async () => {
  await tf.setBackend("cpu")
})

describe("AdamW", () => {
  it("decays only tensors with 2+ dimensions", () => {
    expect(isDecayed([3, 4])).toBe(true)
    expect(isDecayed([2, 3, 4])).toBe(true)
    expect(isDecayed([4])).toBe(false)
    expect(isDecayed([])).toBe(false)
  })

  it.effect.prop(
    "matches a float64 reference over 10 steps with weight decay, warmup and clipping (≤ 1e-6 relative)",
    [
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.constantFrom(1e-3, 1e-2, 5e-2),
      fc.constantFrom(0, 0.01, 0.1),
      fc.constantFrom(0.5, 3, 1e6),
      fc.integer({ min: 0, max: 4 })
    ],
    ([seed, lr, wd, maxNorm, warmup]) =>
      Effect.scoped(
        Effect.gen(function* () {
          const steps = 10
          const params = yield* makeParams(seed)
          const init = Object.fromEntries(
            Object.entries(params).map(([k, p]) => [k, Array.from(p.dataSync())])
          )
          const config = AdamWConfig.make({ weightDecay: wd, beta2: 0.99, eps: 1e-8 })
          const opt = yield* makeAdamW(params, config)
          const schedule = linearWarmupDecay({ lr, warmupSteps: warmup, totalSteps: steps })
          for (let t = 1; t <= steps; t++) {
            const grads = Object.fromEntries(
              Object.entries(params).map(([k, p]) => [k, Float32Array.from(gradOf(p.dataSync(), t, k))])
            )
            opt.update(grads, schedule(opt.step()), clipGradNorm(grads, maxNorm).scale)
          }
          const expected = reference(init, steps, { lr, warmup, wd, maxNorm, ...config })
          for (const [k, p] of Object.entries(params))
            expect(maxRelError(p.dataSync(), expected[k]!), k).toBeLessThanOrEqual(1e-6)
          expect(opt.step()).toBe(steps)
        })
      ),
    { fastCheck: { numRuns: Math.max(5, Math.round(numRuns / 10)), seed: 6 } }
  )

  it.scoped("with zero gradients only weight decay moves 2-D tensors and 1-D tensors stay put", () =>
    Effect.gen(function* () {
      const params = yield* makeParams(1)
      const before = Object.fromEntries(Object.entries(params).map(([k, p]) => [k, p.dataSync().slice()]))
      const opt = yield* makeAdamW(params, AdamWConfig.make({ weightDecay: 0.1 }))
      const zeros = Object.fromEntries(Object.entries(params).map(([k, p]) => [k, new Float32Array(p.size)]))
      opt.update(zeros, 0.5)
      // m = v = 0 so the Adam term is 0/(0 + eps) = 0; decay multiplies by 1 - 0.5·0.1 = 0.95
      const w = params["encoder.dense.weight"]!.dataSync()
      before["encoder.dense.weight"]!.forEach((x, i) => expect(w[i]).toBe(Math.fround(x * 0.95)))
      expect(params["encoder.dense.bias"]!.dataSync()).toEqual(before["encoder.dense.bias"])
      expect(params["encoder.LayerNorm.weight"]!.dataSync()).toEqual(before["encoder.LayerNorm.weight"])
    })
  )

  it.scoped("a hand-worked first step", () =>
    Effect.gen(function* () {
      const w = tf.variable(tf.tensor([[1, -2]]))
      yield* Effect.addFinalizer(() => Effect.sync(() => w.dispose()))
      const opt = yield* makeAdamW({ w }, AdamWConfig.make({ weightDecay: 0.5, eps: 0 }))
      opt.update({ w: Float32Array.of(0.3, -4) }, 0.1)
      // decay: [1, -2]·(1 − 0.1·0.5) = [0.95, −1.9]; at t = 1, m̂ = g and √v̂ = |g|, so the Adam
      // step is lr·sign(g) = [0.1, −0.1]: θ = [0.85, −1.8]
      const [a, b] = w.dataSync()
      expect(a).toBeCloseTo(0.85, 6)
      expect(b).toBeCloseTo(-1.8, 6)
    })
  )

  it.scoped("continues training identically after loading weights and state", () =>
    Effect.gen(function* () {
      const x = tf.tensor([
        [1, 2, 3],
        [-1, 0.5, 2]
      ])
      const y = tf.tensor([
        [0.5, -1, 0, 2],
        [1, 1, -1, 0]
      ])
      yield* Effect.addFinalizer(() => Effect.sync(() => tf.dispose([x, y])))
      const train = (params: Record<string, tf.Variable>, opt: AdamW) => {
        const { value, grads } = tf.variableGrads(
          () =>
            tf.tidy(() =>
              tf.sum(
                tf.square(
                  tf.sub(
                    tf.mul(
                      tf.add(tf.matMul(x, params["encoder.dense.weight"]!), params["encoder.dense.bias"]!),
                      params["encoder.LayerNorm.weight"]!
                    ),
                    y
                  )
                )
              )
            ),
          Object.values(params)
        )
        const named = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, grads[v.name]!]))
        opt.update(gradBuffers(named), 0.05)
        tf.dispose([value, ...Object.values(grads)])
      }
      const a = yield* makeParams(3)
      const optA = yield* makeAdamW(a)
      for (let i = 0; i < 3; i++) train(a, optA)
      const b = yield* makeParams(999)
      Object.entries(b).forEach(([k, p]) => p.assign(a[k]!))
      const optB = yield* makeAdamW(b)
      yield* optB.importState(optA.exportState())
      expect(optB.step()).toBe(3)
      for (let i = 0; i < 4; i++) {
        train(a, optA)
        train(b, optB)
      }
      for (const k of Object.keys(a)) expect(b[k]!.dataSync()).toEqual(a[k]!.dataSync())
      expect(optB.exportState()).toEqual(optA.exportState())
    })
  )

  it.scoped("rejects state that does not fit the parameters", () =>
    Effect.gen(function* () {
      const opt = yield* makeAdamW(yield* makeParams(1))
      const state = opt.exportState()
      const { "encoder.dense.bias/v": _dropped, ...missing } = state
      const exit = yield* Effect.exit(opt.importState(missing))
      expect(exit).toStrictEqual(
        Exit.fail(new OptimizerStateMismatch({ reason: "missing moments for encoder.dense.bias" }))
      )
      const extra = yield* Effect.exit(opt.importState({ ...state, "other/m": new Float32Array(1) }))
      expect(Exit.isFailure(extra)).toBe(true)
      const short = yield* Effect.exit(
        opt.importState({ ...state, "encoder.dense.bias/m": new Float32Array(2) })
      )
      expect(Exit.isFailure(short)).toBe(true)
      const badStep = yield* Effect.exit(opt.importState({ ...state, step: Float32Array.of(1.5) }))
      expect(Exit.isFailure(badStep)).toBe(true)
    })
  )

  it.scoped("writes in place when unshared, assigns when a tensor aliases the parameter; same numbers", () =>
    Effect.gen(function* () {
      const a = yield* makeParams(5)
      const b = yield* makeParams(5)
      const optA = yield* makeAdamW(a)
      const optB = yield* makeAdamW(b)
      // a reshape shares the variable's buffer on the cpu backend: it must keep its old values
      const alias = tf.reshape(b["encoder.dense.weight"]!, [12])
      yield* Effect.addFinalizer(() => Effect.sync(() => alias.dispose()))
      const aliasBefore = alias.dataSync().slice()
      const aBuffer = a["encoder.dense.weight"]!.dataId
      const grads = (p: Record<string, tf.Variable>) =>
        Object.fromEntries(
          Object.entries(p).map(([k, v]) => [k, Float32Array.from(gradOf(v.dataSync(), 1, k))])
        )
      for (let i = 0; i < 3; i++) {
        optA.update(grads(a), 0.01)
        optB.update(grads(b), 0.01)
      }
      expect(a["encoder.dense.weight"]!.dataId).toBe(aBuffer) // updated in place
      expect(alias.dataSync()).toEqual(aliasBefore)
      for (const k of Object.keys(a)) expect(b[k]!.dataSync()).toEqual(a[k]!.dataSync())
    })
  )

  it.scoped("a step leaves numTensors unchanged, also on the assign path", () =>
    Effect.gen(function* () {
      const params = yield* makeParams(2)
      const alias = tf.reshape(params["encoder.dense.bias"]!, [2, 2])
      yield* Effect.addFinalizer(() => Effect.sync(() => alias.dispose()))
      const before = tf.memory().numTensors
      const opt = yield* makeAdamW(params)
      const zeros = Object.fromEntries(
        Object.entries(params).map(([k, p]) => [k, Float32Array.from(p.dataSync())])
      )
      opt.update(zeros, 0.1)
      opt.update(zeros, 0.1)
      expect(tf.memory().numTensors).toBe(before)
    })
  )

  it.effect("dies when used after its scope closed", () =>
    Effect.gen(function* () {
      const opt = yield* Effect.scoped(Effect.flatMap(makeParams(1), (p) => makeAdamW(p)))
      const exit = yield* Effect.exit(Effect.sync(() => opt.exportState()))
      expect(Exit.isFailure(exit)).toBe(true)
    })
  )

  it.scoped("fails loudly on missing or mis-sized gradients", () =>
    Effect.gen(function* () {
      const params = yield* makeParams(1)
      const opt = yield* makeAdamW(params)
      const before = opt.exportState()
      const values = Object.values(params).map((p) => p.dataSync().slice())
      const { "encoder.LayerNorm.weight": _, ...partial } = Object.fromEntries(
        Object.entries(params).map(([k, p]) => [k, new Float32Array(p.size).fill(1)])
      )
      expect(() => opt.update(partial, 0.1)).toThrow(/no gradient for parameter encoder.LayerNorm.weight/)
      // nothing was updated, not even the parameters before the missing one
      expect(opt.exportState()).toStrictEqual(before)
      Object.values(params).forEach((p, i) => expect(p.dataSync()).toStrictEqual(values[i]))
      const ok = Object.fromEntries(Object.entries(params).map(([k, p]) => [k, new Float32Array(p.size)]))
      expect(() => opt.update({ ...ok, "encoder.dense.bias": new Float32Array(3) }, 0.1)).toThrow(/3 values/)
      expect(() => opt.update({ ...ok, ghost: new Float32Array(1) }, 0.1)).toThrow(/unknown parameter ghost/)
    })
  )
})
