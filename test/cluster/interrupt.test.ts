/**
 * Ctrl-C stops `concner run`: the local workflow engine waits on in-flight cells, so the CLI ends
 * itself after a grace period, and each cell's training child exits with it (its IPC channel closes).
 */
import { execFileSync, spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { FileSystem } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { dataRoot, hasData } from "../support/data.js"
import { makeTinyRunModel, runLayer } from "../support/runs.js"

const bin = fileURLToPath(new URL("../../bin/concner.js", import.meta.url))

/** PIDs of live processes whose command line contains `text`. */
const processesWith = (text: string) =>
  execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.includes(text) && !l.includes("ps -eo"))
    .map((l) => Number(l.trim().split(" ")[0]))

describe.skipIf(!hasData)("concner run under Ctrl-C", () => {
  it.scopedLive(
    "exits after SIGINT, leaving no training child behind",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const model = yield* makeTinyRunModel(dir)
        const grid = path.join(dir, "grid.json")
        const out = path.join(dir, "out")
        yield* fs.writeFileString(
          grid,
          JSON.stringify({
            methods: ["en"],
            langs: ["de"],
            sourceSizes: [64],
            seeds: [1],
            model,
            protocol: "cpu",
            overrides: { maxSteps: 400, evalEvery: 200, batchSize: 8, devSentences: 50, testSentences: 50 }
          })
        )
        const parent = spawn(process.execPath, [bin, "run", grid, "--out", out, "--data", dataRoot], {
          stdio: "ignore"
        })
        const exited = new Promise<number | null>((resolve) => parent.on("exit", (code) => resolve(code)))
        // wait for the cell's training child
        const started = Date.now()
        while (processesWith(`runner-cell ${out}`).length === 0) {
          if (Date.now() - started > 120_000) throw new Error("no training child after 120 s")
          yield* Effect.sleep("500 millis")
        }
        parent.kill("SIGINT")
        const code = yield* Effect.promise(() => exited)
        expect(code).toBe(130)
        // the child notices its closed channel at its next event-loop turn
        const stopped = Date.now()
        while (processesWith(`runner-cell ${out}`).length > 0 && Date.now() - stopped < 30_000)
          yield* Effect.sleep("500 millis")
        expect(processesWith(`runner-cell ${out}`)).toStrictEqual([])
      }).pipe(Effect.provide(runLayer("cpu"))),
    240_000
  )
})
