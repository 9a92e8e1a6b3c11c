/**
 * The native kernels' GEMM and thread settings (nativeSettings.ts) on the real addon: where each
 * comes from, a re-run repeating the recorded ones, and bad values refused with the setting named.
 * Skipped, with a note, when the addon is not built.
 */
import { afterEach, describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { loadNative } from "../../src/runtime/native.js"
import { applyNativeSettings, cellThreads } from "../../src/runtime/nativeSettings.js"

const native = loadNative()
if (!native.loaded) console.warn(`skipping native settings: ${native.reason}`)

const env = { blas: process.env.CONCNER_BLAS, threads: process.env.CONCNER_THREADS }
// assigning undefined to process.env stores the string "undefined": the variable is removed instead
const unset = (name: string) => Reflect.deleteProperty(process.env, name)
const restore = (name: string, value: string | undefined) => {
  if (value === undefined) unset(name)
  else process.env[name] = value
}

describe.skipIf(!native.loaded)("native settings", () => {
  if (!native.loaded) return
  const { addon, openblasReason } = native
  const openblas = addon.blasInfo() !== ""
  afterEach(() => {
    restore("CONCNER_BLAS", env.blas)
    restore("CONCNER_THREADS", env.threads)
  })
  const apply = (request: Parameters<typeof applyNativeSettings>[2]) =>
    Effect.either(applyNativeSettings(addon, openblasReason, request))

  it.effect(
    "auto takes the built-in GEMM on AVX-512, else OpenBLAS where built in, else the built-in one",
    () =>
      Effect.gen(function* () {
        unset("CONCNER_BLAS")
        unset("CONCNER_THREADS")
        const s = Either.getOrThrow(yield* apply({}))
        expect(s.gemm).toBe(addon.gemmIsas()[0] === "avx512" || !openblas ? "builtin" : "openblas")
        expect(s.gemmReason).toMatch(/^auto: /)
        expect(s.threadsReason).toMatch(/every available core/)
        process.env.CONCNER_BLAS = "builtin"
        const b = Either.getOrThrow(yield* apply({ threads: 3 }))
        expect([b.gemm, b.isa, b.threads, b.threadsReason]).toEqual([
          "builtin",
          addon.gemmIsas()[0],
          3,
          "--threads"
        ])
        expect(addon.setGemm()).toBe(`builtin ${addon.gemmIsas()[0]}`)
      })
  )

  it.effect(
    "a re-run repeats the recorded GEMM and threads unless CONCNER_BLAS / CONCNER_THREADS name others",
    () =>
      Effect.gen(function* () {
        unset("CONCNER_BLAS")
        unset("CONCNER_THREADS")
        const s = Either.getOrThrow(yield* apply({ recorded: { gemm: "builtin", threads: 1 } }))
        expect([s.gemm, s.threads]).toEqual(["builtin", 1])
        expect(s.gemmReason).toMatch(/recorded run/)
        process.env.CONCNER_THREADS = "2"
        expect(Either.getOrThrow(yield* apply({ recorded: { gemm: "builtin", threads: 1 } })).threads).toBe(2)
        const o = Either.getOrThrow(yield* apply({ recorded: { gemm: "openblas", threads: 1 } }))
        // a record on OpenBLAS runs on it where built in; elsewhere on the built-in GEMM, saying why
        expect(o.gemm).toBe(openblas ? "openblas" : "builtin")
        if (!openblas) expect(o.gemmReason).toMatch(/recorded run used OpenBLAS, which this build lacks/)
      })
  )

  it.effect("refuses a bad CONCNER_BLAS, CONCNER_THREADS or --threads with the setting and what to do", () =>
    Effect.gen(function* () {
      process.env.CONCNER_BLAS = "mkl"
      const blas = yield* apply({})
      expect(Either.isLeft(blas) && blas.left.message).toBe(
        "CONCNER_BLAS=mkl: choose one of auto, builtin, openblas"
      )
      unset("CONCNER_BLAS")
      process.env.CONCNER_THREADS = "two"
      const threads = yield* apply({})
      expect(Either.isLeft(threads) && threads.left.message).toBe(
        "CONCNER_THREADS=two: expected a whole number ≥ 1"
      )
      const flag = yield* apply({ threads: 0 })
      expect(Either.isLeft(flag) && flag.left.message).toBe("--threads=0: expected a whole number ≥ 1")
      if (!openblas) {
        process.env.CONCNER_BLAS = "openblas"
        const missing = yield* apply({})
        expect(Either.isLeft(missing) && missing.left.message).toMatch(/has no OpenBLAS .*libopenblas-dev/)
      }
    })
  )

  it("gives each of a grid's concurrent cells its share of the threads", () => {
    expect(cellThreads(4, 2)).toBe(2)
    expect(cellThreads(2, 3)).toBe(1)
    expect(cellThreads(5, 1)).toBe(5)
  })
})
