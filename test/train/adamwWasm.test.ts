// The in-place path on the wasm backend writes the wasm heap directly: check it updates the variable's
// own buffer, leaves aliases alone, and agrees bit for bit with the assign path. (A file of its own:
// setBackend disposes every tensor, and vitest runs each file in its own process.)
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { tf } from "../../src/runtime/tf.js"
import { makeAdamW } from "../../src/train/adamw.js"

beforeAll(async () => {
  await tf.setBackend("wasm")
})

const makeParams = () =>
  Effect.acquireRelease(
    Effect.sync(() => ({
      w: tf.tidy(() => tf.variable(tf.tensor2d([0.5, -1, 2, 0.25, -3, 1.5], [2, 3]))),
      b: tf.tidy(() => tf.variable(tf.tensor1d([0.1, -0.2, 0.3])))
    })),
    (p) => Effect.sync(() => tf.dispose(Object.values(p)))
  )

describe("AdamW on wasm", () => {
  it.scoped("updates the heap in place, leaves aliases alone, and matches the assign path", () =>
    Effect.gen(function* () {
      expect(tf.getBackend()).toBe("wasm")
      const a = yield* makeParams()
      const b = yield* makeParams()
      const optA = yield* makeAdamW(a)
      const optB = yield* makeAdamW(b)
      const alias = tf.reshape(b.w, [6])
      yield* Effect.addFinalizer(() => Effect.sync(() => alias.dispose()))
      const aliasBefore = alias.dataSync().slice()
      const wBuffer = a.w.dataId
      const before = tf.memory().numTensors
      const grads = { w: Float32Array.of(1, -2, 0.5, 3, 0, -1), b: Float32Array.of(0.3, 0.2, -0.1) }
      for (let i = 0; i < 3; i++) {
        optA.update(grads, 0.01)
        optB.update(grads, 0.01)
      }
      expect(tf.memory().numTensors).toBe(before)
      expect(a.w.dataId).toBe(wBuffer)
      expect(a.w.dataSync()).not.toStrictEqual(Float32Array.of(0.5, -1, 2, 0.25, -3, 1.5))
      expect(alias.dataSync()).toStrictEqual(aliasBefore)
      expect(b.w.dataSync()).toStrictEqual(a.w.dataSync())
      expect(b.b.dataSync()).toStrictEqual(a.b.dataSync())
    })
  )
})
