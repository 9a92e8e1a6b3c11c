import { Command } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { vi } from "vitest"
import { doctorCommand } from "../../src/cli/doctor.js"
import { RuntimeInfo } from "../../src/runtime/info.js"
import { loadNative } from "../../src/runtime/native.js"

const doctor = Command.run(doctorCommand, { name: "concner doctor", version: "test" })

/** Runs `concner doctor ARGS` in-process and returns what it printed. */
const run = (...args: Array<string>) =>
  Effect.gen(function* () {
    const log = vi.spyOn(console, "log").mockImplementation(() => {})
    const exit = yield* Effect.exit(
      doctor(["node", "concner", ...args]).pipe(Effect.provide(NodeContext.layer))
    )
    const printed = log.mock.calls.map((c) => c.join(" ")).join("\n")
    log.mockRestore()
    return { exit, printed }
  })

describe("concner doctor", () => {
  it.effect("--json prints a RuntimeInfo with the reasons", () =>
    Effect.gen(function* () {
      const { exit, printed } = yield* run("--json", "--backend", "cpu")
      expect(exit._tag).toBe("Success")
      const info = Schema.decodeUnknownSync(RuntimeInfo)(JSON.parse(printed))
      expect(info.backend).toBe("cpu")
      expect(info.selectedBy).toBe("option")
      expect(info.customKernels).toEqual(["UnsortedSegmentSum (cpu)"])
      expect(info.fasterNotInUse.map((s) => s.backend)).toEqual(["tensorflow", "wasm"])
    })
  )

  it.effect("prints readable lines by default", () =>
    Effect.gen(function* () {
      const { printed } = yield* run("--backend", "wasm")
      expect(printed).toMatch(/^backend: +wasm \(tfjs-backend-wasm 4\.22\.0; chosen by --backend\)$/m)
      expect(printed).toMatch(/^simd: +yes$/m)
      expect(printed).toMatch(
        /^faster backends not in use:\n {2}tensorflow: not tried: --backend wasm was given/m
      )
    })
  )

  it.effect.skipIf(!loadNative().loaded)(
    "names the native kernels' GEMM, instruction set and threads, with the reasons",
    () =>
      Effect.gen(function* () {
        const json = yield* run("--json", "--backend", "wasm", "--threads", "2")
        const { native } = Schema.decodeUnknownSync(RuntimeInfo)(JSON.parse(json.printed))
        expect(native.active).toBe(true)
        expect([native.blasThreads, native.threadsReason]).toEqual([2, "--threads"])
        expect(native.gemmReason).toBeTruthy()
        if (native.gemm === "builtin") expect(native.gemmIsa).toMatch(/^(avx512|avx2|portable)$/)
        else expect(native.blas).toMatch(/^OpenBLAS /)
        const { printed: wrapped } = yield* run("--backend", "wasm", "--threads", "1")
        // 80 columns where stdout is no terminal; a value's continuation lines are indented under it
        expect(Math.max(...wrapped.split("\n").map((l) => l.length))).toBeLessThanOrEqual(80)
        const printed = wrapped.replace(/\n {18}/g, " ")
        expect(printed).toMatch(
          /^gemm: +(built-in, (avx512|avx2|portable)|OpenBLAS) .*CONCNER_BLAS=builtin\|openblas\|auto/m
        )
        expect(printed).toMatch(/^native threads: +1 \(--threads\)$/m)
      })
  )

  it.effect("fails with the list of choices on an unknown backend", () =>
    Effect.gen(function* () {
      const { exit } = yield* run("--backend", "cuda")
      expect(exit._tag).toBe("Failure")
      expect(String(exit._tag === "Failure" ? exit.cause : "")).toContain(
        '--backend: unknown tensor backend "cuda" (choose one of: auto, tensorflow, wasm, cpu)'
      )
    })
  )
})
