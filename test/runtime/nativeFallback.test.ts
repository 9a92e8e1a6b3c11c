/**
 * Without the addon concner runs on the stock kernels and says why: `CONCNER_NATIVE=0` takes the
 * same path as a missing or unloadable addon (`loadNative` reports a reason, `TensorRuntime`
 * registers nothing native). Checked in fresh processes, since the addon is loaded once per process.
 */
import { execFile } from "node:child_process"
import { promisify } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"

const exec = promisify(execFile)
const off = { ...process.env, CONCNER_NATIVE: "0" }

describe("without the native addon", () => {
  it.effect("doctor reports the native path inactive, with the reason", () =>
    Effect.promise(async () => {
      const { stdout } = await exec("node", ["bin/concner.js", "doctor", "--json", "--backend", "wasm"], {
        env: off
      })
      const info = JSON.parse(stdout) as {
        native: { active: boolean; reason: string; kernels: Array<string> }
      }
      expect(info.native).toEqual({
        active: false,
        reason: "disabled by CONCNER_NATIVE=0",
        kernels: [],
        gemm: null,
        gemmIsa: null,
        gemmReason: null,
        blasThreads: null,
        threadsReason: null,
        blas: null
      })
      const text = await exec("node", ["bin/concner.js", "doctor", "--backend", "wasm"], { env: off })
      expect(text.stdout).toMatch(/^native: +inactive: disabled by CONCNER_NATIVE=0$/m)
    })
  )

  it.effect("a ConCNER training step runs on the stock kernels", () =>
    Effect.promise(async () => {
      const args = ["tsx", "bench/main.ts", "--config", "tiny", "--vocab", "200", "--seq", "8"]
      const { stdout } = await exec(
        "npx",
        [
          ...args,
          "--steps",
          "1",
          "--rounds",
          "1",
          "--warmup",
          "0",
          "--no-reference",
          "--json",
          "--backend",
          "wasm"
        ],
        { env: off }
      )
      const report = JSON.parse(stdout.trim().split("\n").at(-1)!) as {
        native: string
        gemms: Record<string, { tokens_per_s: number }>
        backend: string
      }
      expect(report.backend).toBe("wasm")
      expect(report.native).toBe("inactive: disabled by CONCNER_NATIVE=0")
      // without the addon there is one set of timings, on the stock kernels
      expect(Object.keys(report.gemms)).toEqual(["stock"])
      const tokens = report.gemms.stock!.tokens_per_s
      expect(Number.isFinite(tokens) && tokens > 0).toBe(true)
    })
  )
})
