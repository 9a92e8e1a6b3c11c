import { createRequire } from "node:module"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect, Exit, Schema } from "effect"
import { type RuntimeOptions, TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { BackendSwitchWithLiveTensors, BackendUnavailable, UnknownBackend } from "../../src/runtime/errors.js"
import { RuntimeInfo, formatRuntimeInfo } from "../../src/runtime/info.js"
import { tf } from "../../src/runtime/tf.js"

// tfjs-node(-gpu) are optional: the tests of their absence skip where one is installed
const tensorflowInstalled = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"].some((pkg) => {
  try {
    createRequire(import.meta.url).resolve(pkg)
    return true
  } catch {
    return false
  }
})
if (tensorflowInstalled) console.log("tfjs-node(-gpu) is installed: skipping the tests of its absence")

/** Builds the runtime with `options`, CONCNER_BACKEND set to `env` (or unset), and returns its info. */
const infoOf = (options: RuntimeOptions, env?: string) =>
  Effect.gen(function* () {
    return yield* (yield* TensorRuntime).info
  }).pipe(
    Effect.provide(TensorRuntime.layer(options)),
    Effect.withConfigProvider(
      ConfigProvider.fromMap(new Map(env === undefined ? [] : [["CONCNER_BACKEND", env]]))
    )
  )

describe("TensorRuntime", () => {
  it.effect("selects the backend named by the option", () =>
    Effect.gen(function* () {
      for (const backend of ["cpu", "wasm", "cpu"] as const) {
        const info = yield* infoOf({ backend })
        expect(info.backend).toBe(backend)
        expect(info.selectedBy).toBe("option")
        expect(tf.getBackend()).toBe(backend)
      }
    })
  )

  it.effect("selects the backend named by CONCNER_BACKEND; the option wins over it", () =>
    Effect.gen(function* () {
      const fromEnv = yield* infoOf({}, "cpu")
      expect([fromEnv.backend, fromEnv.selectedBy]).toEqual(["cpu", "env"])
      const fromOption = yield* infoOf({ backend: "wasm" }, "cpu")
      expect([fromOption.backend, fromOption.selectedBy]).toEqual(["wasm", "option"])
      // "auto" overrides the variable too; an empty variable counts as unset
      expect((yield* infoOf({ backend: "auto" }, "cpu")).selectedBy).toBe("auto")
      expect((yield* infoOf({}, "")).selectedBy).toBe("auto")
    })
  )

  it.effect("rejects unknown names, listing the choices and where the name came from", () =>
    Effect.gen(function* () {
      const choices = ["auto", "tensorflow", "wasm", "cpu"]
      expect(yield* Effect.exit(infoOf({ backend: "gpu" }))).toStrictEqual(
        Exit.fail(new UnknownBackend({ name: "gpu", source: "option", choices }))
      )
      const fromEnv = yield* Effect.flip(infoOf({}, "WASM"))
      expect(fromEnv).toStrictEqual(new UnknownBackend({ name: "WASM", source: "env", choices }))
      expect(fromEnv.message).toBe(
        'CONCNER_BACKEND: unknown tensor backend "WASM" (choose one of: auto, tensorflow, wasm, cpu)'
      )
    })
  )

  it.effect.skipIf(tensorflowInstalled)("explains why a named tensorflow backend is unavailable", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(infoOf({}, "tensorflow"))
      expect(error).toBeInstanceOf(BackendUnavailable)
      expect(error.message).toMatch(/^CONCNER_BACKEND: tensor backend "tensorflow" is unavailable: /)
      expect(error.message).toContain("tfjs-node-gpu not installed (npm install @tensorflow/tfjs-node-gpu:")
      expect(error.message).toContain("tfjs-node not installed (npm install @tensorflow/tfjs-node:")
      // no path of this machine (Node's "imported from FILE")
      expect(error.message).not.toContain("imported from")
    })
  )

  it.effect.skipIf(tensorflowInstalled)(
    "auto picks wasm without tfjs-node and records why tensorflow is not in use",
    () =>
      Effect.gen(function* () {
        const info = yield* infoOf({})
        expect(info.backend).toBe("wasm")
        expect(info.selectedBy).toBe("auto")
        expect(info.simd).toBe(true)
        expect(info.threads).toBe(1)
        expect(info.threadsNote).toContain("multithreaded wasm is unavailable in Node")
        expect(info.fasterNotInUse.map((s) => s.backend)).toEqual(["tfjs-node-gpu", "tfjs-node"])
        expect(
          info.fasterNotInUse.every((s) => s.reason.startsWith("not installed (npm install @tensorflow/"))
        ).toBe(true)
        expect(info.customKernels).toEqual(["UnsortedSegmentSum (wasm)"])
      })
  )

  it.effect("a requested thread count that wasm cannot honour is reported", () =>
    Effect.gen(function* () {
      const info = yield* infoOf({ backend: "wasm", threads: 2 })
      expect(info.threads).toBe(1)
      expect(info.threadsNote).toContain("2 thread(s) requested, 1 in use")
    })
  )

  it.effect.skipIf(tensorflowInstalled)(
    "says why the faster backends were not tried when a slower one is named",
    () =>
      Effect.gen(function* () {
        const info = yield* infoOf({}, "cpu")
        expect(info.fasterNotInUse.map((s) => [s.backend, s.reason])).toEqual([
          [
            "tensorflow",
            "not tried: CONCNER_BACKEND=cpu (tfjs-node-gpu not installed, tfjs-node not installed)"
          ],
          ["wasm", "not tried: CONCNER_BACKEND=cpu"]
        ])
        const text = formatRuntimeInfo(info)
        expect(text).toContain("backend:          cpu (tfjs-backend-cpu 4.22.0; chosen by CONCNER_BACKEND)")
        expect(text).toContain("  wasm: not tried: CONCNER_BACKEND=cpu")
      })
  )

  it.effect("refuses to switch backends while tensors are alive", () =>
    Effect.gen(function* () {
      yield* infoOf({ backend: "cpu" })
      const live = tf.ones([2, 2])
      const error = yield* Effect.flip(infoOf({ backend: "wasm" }))
      expect(error).toStrictEqual(
        new BackendSwitchWithLiveTensors({ from: "cpu", to: "wasm", numTensors: 1 })
      )
      // re-selecting the current backend is fine
      expect((yield* infoOf({ backend: "cpu" })).memory.numTensors).toBe(1)
      live.dispose()
      expect((yield* infoOf({ backend: "wasm" })).backend).toBe("wasm")
    })
  )

  it.effect("info is a JSON round-trippable Schema value with a fresh memory snapshot", () =>
    Effect.gen(function* () {
      const runtime = yield* TensorRuntime
      const before = yield* runtime.info
      const t = tf.zeros([1000])
      const after = yield* runtime.info
      t.dispose()
      expect(after.memory.numTensors).toBe(before.memory.numTensors + 1)
      expect(after.memory.numBytes).toBe(before.memory.numBytes + 4000)
      expect(after.memory.rssBytes).toBeGreaterThan(0)
      const json = JSON.parse(JSON.stringify(Schema.encodeSync(RuntimeInfo)(after)))
      expect(Schema.decodeUnknownSync(RuntimeInfo)(json)).toStrictEqual(after)
    }).pipe(Effect.provide(TensorRuntime.layer({ backend: "cpu" })))
  )
})
