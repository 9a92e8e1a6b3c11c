import { describe, expect, layer } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { acquireVariables, tensorScope, withTensorScope } from "../../src/runtime/scope.js"
import { type Tensor, type Variable, tf } from "../../src/runtime/tf.js"

const count = () => tf.memory().numTensors

class Boom {
  readonly _tag = "Boom"
}

layer(TensorRuntime.layer({ backend: "cpu" }))("withTensorScope", (it) => {
  it.effect("disposes what it made and keeps the tensors of its result", () =>
    Effect.gen(function* () {
      const base = count()
      const kept = yield* withTensorScope(
        Effect.sync(() => {
          const a = tf.ones([4])
          const b = tf.add(a, a)
          return { b, note: "plain values pass through" }
        })
      )
      expect(count()).toBe(base + 1)
      expect(Array.from(kept.b.dataSync())).toEqual([2, 2, 2, 2])
      kept.b.dispose()
      expect(count()).toBe(base)
    })
  )

  it.effect("disposes everything on failure", () =>
    Effect.gen(function* () {
      const base = count()
      const error = yield* Effect.flip(
        withTensorScope(
          Effect.gen(function* () {
            tf.ones([3])
            tf.zeros([2, 2])
            return yield* Effect.fail(new Boom())
          })
        )
      )
      expect(error).toBeInstanceOf(Boom)
      expect(count()).toBe(base)
    })
  )

  it.effect("disposes everything on a defect, including scopes left open inside", () =>
    Effect.gen(function* () {
      const base = count()
      const exit = yield* Effect.exit(
        withTensorScope(
          Effect.sync(() => {
            tf.ones([3])
            tf.engine().startScope() // never ended: the throw skips its endScope
            tf.zeros([5])
            throw new Error("bug")
          })
        )
      )
      expect(exit._tag).toBe("Failure")
      expect(count()).toBe(base)
      expect(tf.engine().state.scopeStack).toHaveLength(0)
    })
  )

  it.effect("disposes everything on interruption", () =>
    Effect.gen(function* () {
      const base = count()
      const made = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(
        withTensorScope(
          Effect.gen(function* () {
            tf.ones([3])
            tf.zeros([7])
            yield* Deferred.succeed(made, undefined)
            return yield* Effect.never
          })
        )
      )
      yield* Deferred.await(made)
      expect(count()).toBe(base + 2)
      yield* Fiber.interrupt(fiber)
      expect(count()).toBe(base)
    })
  )

  it.effect("nests: an inner result survives until the outer scope ends", () =>
    Effect.gen(function* () {
      const base = count()
      const outer = yield* withTensorScope(
        Effect.gen(function* () {
          const inner = yield* withTensorScope(Effect.sync(() => tf.mul(tf.ones([2]), 3)))
          expect(count()).toBe(base + 1)
          return tf.add(inner, 1)
        })
      )
      expect(count()).toBe(base + 1)
      expect(Array.from(outer.dataSync())).toEqual([4, 4])
      outer.dispose()
    })
  )

  it.effect("serialises scopes of concurrent fibers", () =>
    Effect.gen(function* () {
      const base = count()
      const step = (n: number) =>
        withTensorScope(
          Effect.gen(function* () {
            const x = tf.fill([n], n)
            yield* Effect.yieldNow()
            return tf.sum(x).dataSync()[0]!
          })
        )
      const sums = yield* Effect.all([step(2), step(3), step(4)], { concurrency: "unbounded" })
      expect(sums).toEqual([4, 9, 16])
      expect(count()).toBe(base)
    })
  )
})

layer(TensorRuntime.layer({ backend: "cpu" }))("tensorScope and acquireVariables", (it) => {
  it.effect("tensorScope releases when its Scope closes, keeping tf.keep'd tensors", () =>
    Effect.gen(function* () {
      const base = count()
      const kept = yield* Effect.scoped(
        Effect.gen(function* () {
          yield* tensorScope()
          tf.ones([10])
          const k = tf.keep(tf.zeros([1]))
          expect(count()).toBe(base + 2)
          return k
        })
      )
      expect(count()).toBe(base + 1)
      kept.dispose()
      const failed = yield* Effect.exit(
        Effect.scoped(
          Effect.zipRight(
            tensorScope(),
            Effect.flatMap(
              Effect.sync(() => tf.ones([3])),
              () => Effect.fail(new Boom())
            )
          )
        )
      )
      expect(failed._tag).toBe("Failure")
      expect(count()).toBe(base)
    })
  )

  it.effect("variables live exactly as long as their Scope; temporaries do not", () =>
    Effect.gen(function* () {
      const base = count()
      yield* Effect.scoped(
        Effect.gen(function* () {
          // two records with the same keys: no global-name clash
          const a = yield* acquireVariables(() => ({ w: tf.mul(tf.ones([2, 3]), 2), b: tf.zeros([3]) }))
          const b = yield* acquireVariables(() => ({ w: tf.ones([2, 3]), b: tf.zeros([3]) }), false)
          expect(count()).toBe(base + 4)
          expect(a.w).toBeInstanceOf(tf.Variable)
          expect([a.w.trainable, b.w.trainable]).toEqual([true, false])
          expect(Array.from(a.w.dataSync())).toEqual([2, 2, 2, 2, 2, 2])
          // scopes never free variables
          yield* withTensorScope(Effect.sync(() => a.w.assign(tf.add(a.w, 1))))
          expect(count()).toBe(base + 4)
          expect(a.w.dataSync()[0]).toBe(3)
        })
      )
      expect(count()).toBe(base)
    })
  )
})

/** One classifier step: gather → matMul → logSoftmax CE → grads → SGD assign; returns the loss. */
const trainStep = (p: Record<"emb" | "w", Variable>, ids: Tensor, labels: Tensor) =>
  withTensorScope(
    Effect.sync(() => {
      const { value, grads } = tf.variableGrads(() => {
        const h = tf.gather(p.emb, ids) // (N, H)
        const logits = tf.matMul(h, p.w) // (N, C)
        return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(labels, 3), tf.logSoftmax(logits)), -1))) as tf.Scalar
      })
      for (const v of Object.values(p)) v.assign(tf.sub(v, tf.mul(0.5, grads[v.name]!)))
      return value.dataSync()[0]!
    })
  )

describe("a training step leaves numTensors unchanged", () => {
  for (const backend of ["cpu", "wasm"] as const) {
    layer(TensorRuntime.layer({ backend }))(backend, (it) => {
      it.scoped("and the loss goes down", () =>
        Effect.gen(function* () {
          const p = yield* acquireVariables(() => ({
            emb: tf.randomNormal([50, 8], 0, 0.5, "float32", 1),
            w: tf.randomNormal([8, 3], 0, 0.5, "float32", 2)
          }))
          const data = yield* Effect.acquireRelease(
            Effect.sync(() => ({
              ids: tf.tensor1d([4, 9, 9, 31, 0, 49], "int32"),
              labels: tf.tensor1d([0, 1, 1, 2, 0, 2], "int32")
            })),
            (d) => Effect.sync(() => tf.dispose([d.ids, d.labels]))
          )
          const base = count()
          const losses: Array<number> = []
          for (let i = 0; i < 5; i++) {
            losses.push(yield* trainStep(p, data.ids, data.labels))
            expect(count()).toBe(base)
          }
          expect(losses[4]!).toBeLessThan(losses[0]!)
        })
      )
    })
  }
})
