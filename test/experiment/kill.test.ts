import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { FileSystem } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { mulberry32 } from "../../src/data/sampling.js"
import { progressHooks } from "../../src/experiment/progress.js"
import { recordRun, runExperiment } from "../../src/experiment/run.js"
import { withoutTimes } from "../../src/records/metricsLog.js"
import { silentProgress } from "../../src/runtime/Progress.js"
import { dataRoot, hasData } from "../support/data.js"
import { makeTinyRunModel, runLayer, tinyProtocol, tinySpec } from "../support/runs.js"

const bin = fileURLToPath(new URL("../../bin/concner.js", import.meta.url))

const cli = (args: ReadonlyArray<string>) =>
  spawn(process.execPath, [bin, ...args, "--backend", "cpu", "--data", dataRoot], {
    stdio: ["ignore", "pipe", "pipe"]
  })

const exited = (child: ChildProcess) =>
  Effect.async<{ readonly code: number | null; readonly stderr: string }>((resume) => {
    let stderr = ""
    child.stderr?.on("data", (d) => {
      stderr += String(d)
    })
    child.on("exit", (code) => resume(Effect.succeed({ code, stderr })))
  })

const lines = (file: string) =>
  existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l !== "").length
    : 0

describe.skipIf(!hasData)("kill -9", () => {
  it.scoped(
    "a run killed with SIGKILL at a random event and resumed by `concner resume` matches an uninterrupted one (cpu)",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const spec = yield* tinySpec(yield* makeTinyRunModel(dir), "concner", tinyProtocol(60))
        const whole = path.join(dir, "whole")
        const reference = yield* Effect.scoped(
          Effect.flatMap(progressHooks(whole, silentProgress), (hooks) => runExperiment(spec, whole, hooks))
        )
        const events = lines(path.join(whole, "metrics.jsonl"))
        // kill once the run has written `after` of its events: 1 … events − 1, seeded (CONCNER_KILL_SEED for more trials)
        const after =
          1 + Math.floor(mulberry32(Number(process.env.CONCNER_KILL_SEED ?? 20261126))() * (events - 1))
        const killed = path.join(dir, "killed")
        yield* recordRun(spec, killed)
        const child = cli(["resume", killed])
        const metrics = path.join(killed, "metrics.jsonl")
        yield* Effect.promise(async () => {
          while (lines(metrics) < after && child.exitCode === null)
            await new Promise((r) => setTimeout(r, 20))
        })
        child.kill("SIGKILL")
        const first = yield* exited(child)
        expect(first.code).toBe(null) // killed, not finished
        expect(existsSync(path.join(killed, "result.json"))).toBe(false)
        const second = yield* exited(cli(["resume", killed]))
        expect(second.stderr).not.toMatch(/Error/)
        // the killed run's lock is reported and taken over, not silently stolen
        expect(second.stderr).toMatch(/is no longer running; its lock is taken over/)
        expect(second.code).toBe(0)
        const resumed = JSON.parse(readFileSync(path.join(killed, "result.json"), "utf8"))
        expect({ ...resumed, seconds: 0 }).toEqual({ ...JSON.parse(JSON.stringify(reference)), seconds: 0 })
        // equal but for when each line was written
        expect(withoutTimes(readFileSync(metrics, "utf8"))).toBe(
          withoutTimes(readFileSync(path.join(whole, "metrics.jsonl"), "utf8"))
        )
      }).pipe(Effect.provide(runLayer("cpu"))),
    600_000
  )
})
