/**
 * Which GEMM and how many threads the native kernels run with, and why.
 *
 * - GEMM: `CONCNER_BLAS=builtin|openblas|auto`, read at run time (the build compiles what it can):
 *   the built-in GEMM (native/src/gemm.c, always built) or OpenBLAS (where the build found it).
 *   `auto` (the default) takes whichever was measured faster for this CPU (README, Performance): the
 *   built-in one where the CPU has AVX-512 (a training step 1.1–1.4× OpenBLAS's, on every core too),
 *   else OpenBLAS where the build has it (~10 % faster than the built-in AVX2 kernel), else the
 *   built-in one. A re-run of a recorded run (`train --spec`, `resume`) takes the GEMM its run.json
 *   records unless CONCNER_BLAS names one: the committed results were made with OpenBLAS.
 * - Threads: `--threads N`, else `CONCNER_THREADS`, else the recorded count on a re-run, else
 *   every available core.
 *
 * Determinism: every element of a built-in GEMM is one fused multiply-add chain in a fixed order,
 * and the other native kernels split their work by output element, so with the built-in GEMM the
 * results are bit-identical for any thread count and instruction set. OpenBLAS splits a product
 * differently with another thread count (and picks its kernels by CPU): the same count and CPU
 * give the same bits there. The two GEMMs differ from each other in the last bits.
 */
import { availableParallelism } from "node:os"
import { Effect } from "effect"
import { NativeSettingInvalid } from "./errors.js"
import type { NativeAddon } from "./native.js"

export const gemmChoices = ["auto", "builtin", "openblas"] as const
export type GemmChoice = (typeof gemmChoices)[number]
export type GemmName = Exclude<GemmChoice, "auto">

/** What a recorded run ran with (its run.json `numerics`), for a re-run to repeat it. */
export interface RecordedNative {
  readonly gemm: GemmName
  readonly threads: number | null
}

export interface NativeRequest {
  /** `--threads` */
  readonly threads?: number
  readonly recorded?: RecordedNative
}

export interface NativeSettings {
  readonly gemm: GemmName
  /** the built-in GEMM's instruction set in use (null with OpenBLAS) */
  readonly isa: string | null
  readonly gemmReason: string
  readonly threads: number
  readonly threadsReason: string
}

const threadCount = (setting: string, text: string) =>
  /^[1-9][0-9]*$/.test(text.trim())
    ? Effect.succeed(Number(text))
    : Effect.fail(new NativeSettingInvalid({ setting, value: text, reason: "expected a whole number ≥ 1" }))

/** The GEMM to use and why (see the module note). */
const chooseGemm = (
  openblas: boolean,
  openblasReason: string,
  widestIsa: string | undefined,
  recorded: RecordedNative | undefined
) => {
  const env = process.env.CONCNER_BLAS ?? ""
  if (env !== "" && env !== "auto") {
    if (env !== "builtin" && env !== "openblas")
      return Effect.fail(
        new NativeSettingInvalid({
          setting: "CONCNER_BLAS",
          value: env,
          reason: `choose one of ${gemmChoices.join(", ")}`
        })
      )
    if (env === "openblas" && !openblas)
      return Effect.fail(
        new NativeSettingInvalid({
          setting: "CONCNER_BLAS",
          value: env,
          reason: `this build of the native addon has no OpenBLAS (${openblasReason}); install libopenblas-dev and rebuild (node native/build.mjs), or use auto`
        })
      )
    return Effect.succeed({ gemm: env as GemmName, reason: `CONCNER_BLAS=${env}` })
  }
  if (recorded !== undefined && (recorded.gemm === "builtin" || openblas))
    return Effect.succeed({ gemm: recorded.gemm, reason: "as the recorded run (CONCNER_BLAS to choose)" })
  const note = recorded === undefined ? "" : "; the recorded run used OpenBLAS, which this build lacks"
  return Effect.succeed(
    widestIsa === "avx512"
      ? {
          gemm: "builtin" as const,
          reason: `auto: this CPU has AVX-512, where the built-in GEMM is the faster one${openblas ? " (OpenBLAS is in this build too)" : ""}${note}`
        }
      : openblas
        ? { gemm: "openblas" as const, reason: `auto: OpenBLAS is in this build (${openblasReason})` }
        : { gemm: "builtin" as const, reason: `auto: no OpenBLAS in this build (${openblasReason})${note}` }
  )
}

/** Resolves and applies the GEMM and thread settings on the loaded addon. */
export const applyNativeSettings = (
  addon: NativeAddon,
  openblasReason: string,
  request: NativeRequest
): Effect.Effect<NativeSettings, NativeSettingInvalid> =>
  Effect.gen(function* () {
    const openblas = addon.blasInfo() !== ""
    const { gemm, reason } = yield* chooseGemm(
      openblas,
      openblasReason,
      addon.gemmIsas()[0],
      request.recorded
    )
    const env = process.env.CONCNER_THREADS ?? ""
    const { threads, threadsReason } =
      request.threads !== undefined
        ? { threads: yield* threadCount("--threads", String(request.threads)), threadsReason: "--threads" }
        : env !== ""
          ? { threads: yield* threadCount("CONCNER_THREADS", env), threadsReason: "CONCNER_THREADS" }
          : request.recorded?.threads != null
            ? {
                threads: request.recorded.threads,
                threadsReason: "as the recorded run (CONCNER_THREADS or --threads to choose)"
              }
            : {
                threads: availableParallelism(),
                threadsReason: "every available core (CONCNER_THREADS or --threads to choose)"
              }
    const selection = addon.setGemm(gemm, addon.gemmIsas()[0])
    return {
      gemm,
      isa: gemm === "builtin" ? (selection.split(" ")[1] ?? null) : null,
      gemmReason: reason,
      threads: addon.setThreads(threads),
      threadsReason
    }
  })

/**
 * The threads each of `concurrency` cells running at once gets: its share of `total` (`--threads`,
 * else CONCNER_THREADS, else every core), at least 1 — not every cell all cores.
 */
export const cellThreads = (total: number | undefined, concurrency: number): number => {
  const env = Number(process.env.CONCNER_THREADS ?? "")
  const all = total ?? (Number.isInteger(env) && env > 0 ? env : availableParallelism())
  return Math.max(1, Math.floor(all / Math.max(1, concurrency)))
}

/** Sets CONCNER_THREADS to each cell's share (`cellThreads`) for the child processes of `cells` concurrent cells. */
export const shareThreadsAmong = (cells: number, total?: number) =>
  Effect.sync(() => {
    if (cells > 1) process.env.CONCNER_THREADS = String(cellThreads(total, cells))
  })
