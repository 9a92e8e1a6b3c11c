/**
 * A 4-cell tiny grid (en × 4 seeds, 6 teacher steps each) run by the local engine, resubmitted, then on a
 * cluster of two runner processes over a temp Postgres with one runner killed (SIGKILL) mid-cell:
 * every cell finishes with the result and metrics of the local run (where cells run one at a
 * time, each alone), the killed cell resumes from its last evaluation point on the other runner,
 * no cell ever has two training processes at once, and resubmitting runs nothing.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { FileSystem } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { CellListing } from "../../src/cluster/CellStore.js"
import { clientEngine, localEngine } from "../../src/cluster/engine.js"
import { cellWorkflowLayer } from "../../src/cluster/runner.js"
import { type GridRun, submitGrid } from "../../src/cluster/submit.js"
import { type Grid, type GridCell, expandGrid, targetsOf } from "../../src/experiment/grid.js"
import { withoutTimes } from "../../src/records/metricsLog.js"
import { dataRoot, hasData } from "../support/data.js"
import { makeTinyRunModel, runLayer, tinyProtocol } from "../support/runs.js"
import { freePort, hasPostgres, scopedPostgres } from "./postgres.js"

const bin = fileURLToPath(new URL("../../bin/concner.js", import.meta.url))

/** A grid of the tiny test protocol on a tiny encoder in a temporary folder (the scope's). */
const tinyGrid = (cells: Pick<Grid, "name" | "sourceSizes" | "methods" | "targets" | "seeds">) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped()
    const model = yield* makeTinyRunModel(dir)
    const grid: Grid = { ...cells, translations: "mulda", protocol: tinyProtocol(60), model }
    return { dir, grid }
  })

const local = (slots: number) =>
  cellWorkflowLayer({ slots, runnerId: "local" }).pipe(Layer.provideMerge(localEngine))

/** Results without their wall-clock seconds, by run directory relative to its OUT. */
const results = (run: GridRun, out: string) =>
  Object.fromEntries(
    run.outcomes.flatMap((o) =>
      o.status === "unavailable" ? [] : [[path.relative(out, o.cell.runDir), { ...o.result, seconds: 0 }]]
    )
  )

/**
 * Training processes per run directory under `root` right now (`concner runner-cell DIR`); other
 * grids running on the machine are not this test's.
 */
const trainingProcesses = (root: string): Map<string, number> => {
  const counts = new Map<string, number>()
  const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" }).stdout
  for (const line of ps.split("\n")) {
    const m = / runner-cell (\S+)/.exec(line)
    if (m?.[1]?.startsWith(root)) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1)
  }
  return counts
}

/** Watches training processes for the scope: the most seen at once per run directory, and all seen. */
const watchTraining = (root: string) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const most = new Map<string, number>()
      const timer = setInterval(() => {
        for (const [dir, n] of trainingProcesses(root)) most.set(dir, Math.max(n, most.get(dir) ?? 0))
      }, 200)
      return { most, timer }
    }),
    ({ timer }) => Effect.sync(() => clearInterval(timer))
  ).pipe(Effect.map(({ most }) => most))

/** A runner process on `port`; fails with its stderr if it exits before it is ready. */
const spawnRunner = (url: string, port: number) =>
  Effect.acquireRelease(
    Effect.async<ChildProcess, Error>((resume) => {
      const child = spawn(
        process.execPath,
        [
          bin,
          "runner",
          "--cluster",
          url,
          "--slots",
          "1",
          "--host",
          "127.0.0.1",
          "--port",
          String(port)
        ].concat(["--backend", "cpu", "--data", dataRoot]),
        {
          stdio: ["ignore", "ignore", "pipe"],
          // a dead runner's shards move after the lock expires: seconds here, not 35 s — but long
          // enough for the dead runner's training child to see its parent gone and exit on a
          // loaded machine (its step must end first), or the cell would briefly run twice
          env: {
            ...process.env,
            SHARD_LOCK_EXPIRATION: "15 seconds",
            SHARD_LOCK_REFRESH_INTERVAL: "4 seconds",
            RUNNER_HEALTH_CHECK_INTERVAL: "3 seconds"
          }
        }
      )
      let stderr = ""
      child.stderr?.on("data", (d) => {
        stderr += String(d)
        if (/runner \S+ ready:/.test(stderr)) resume(Effect.succeed(child))
      })
      child.on("exit", (code) => resume(Effect.fail(new Error(`runner exited (${code}): ${stderr}`))))
    }),
    (child) => Effect.sync(() => child.kill("SIGKILL"))
  )

/**
 * A runner on a free port, and its address. A port free when asked can be taken before the
 * runner binds it (by any outgoing connection: ephemeral ports come from the same range), so a
 * runner refused its port tries another.
 */
const startRunner = (url: string) =>
  Effect.gen(function* () {
    const port = yield* freePort
    const child = yield* spawnRunner(url, port)
    return { address: `127.0.0.1:${port}`, child }
  }).pipe(Effect.retry({ times: 3, while: (e) => e.message.includes("cannot listen on") }))

describe.skipIf(!hasData)("grids on workflows", () => {
  it.scopedLive(
    "the local engine runs a new cell, reports an unavailable one, and refuses a folder of another spec",
    () =>
      Effect.gen(function* () {
        const { dir, grid } = yield* tinyGrid({
          name: "small",
          sourceSizes: [16],
          methods: ["en", "mulda"],
          targets: [...targetsOf("conll", ["de"]), ...targetsOf("wikiann", ["ar"])],
          seeds: [1]
        })
        const out = path.join(dir, "out")
        // en on CoNLL de and mulda on WikiAnn ar (the other two cells are left out to keep the test short)
        const cells = (yield* expandGrid(grid, { out })).filter((c) =>
          c.method === "en" ? c.corpus === "conll" : c.corpus === "wikiann"
        )
        expect(cells.map((c) => c._tag)).toEqual(["Runnable", "Unavailable"])
        const run = yield* submitGrid(grid.name, cells).pipe(Effect.provide(local(1)))
        expect(run.failures).toEqual([])
        expect(run.outcomes.map((o) => o.status)).toEqual(["ran", "unavailable"])
        const first = run.outcomes[0]!
        expect(first.status !== "unavailable" && [first.result.steps, first.result.testSentences]).toEqual([
          2, 60
        ])

        // the same folder under another protocol is refused, not overwritten or counted as done
        const other = yield* expandGrid({ ...grid, protocol: tinyProtocol(61) }, { out })
        const conflict = yield* submitGrid(grid.name, other.slice(0, 1)).pipe(Effect.provide(local(1)))
        expect(conflict.outcomes).toEqual([])
        expect(conflict.failures.map((f) => f.error.reason)).toEqual([
          expect.stringMatching(/recorded spec .* differs from this grid's/)
        ])
      }).pipe(Effect.provide(runLayer("cpu"))),
    300_000
  )

  it.scopedLive(
    "a grid's cells share a teacher: En's teacher trained for one language serves the other, scored on its own",
    () =>
      Effect.gen(function* () {
        const { dir, grid } = yield* tinyGrid({
          name: "shared",
          sourceSizes: [48],
          methods: ["en"],
          targets: targetsOf("conll", ["de", "es"]),
          seeds: [1]
        })
        const out = path.join(dir, "out")
        const cells = yield* expandGrid(grid, { out })
        const teachers = path.join(out, "teachers")
        const run = yield* submitGrid(grid.name, cells, { teachers }).pipe(Effect.provide(local(1)))
        expect(run.failures).toEqual([])
        // the slot takes the cells in either order: the first trains the teacher, the other takes it
        const ran = run.outcomes.flatMap((o) => (o.status === "unavailable" ? [] : [o]))
        const record = (runDir: string) => JSON.parse(readFileSync(path.join(runDir, "run.json"), "utf8"))
        const [trainer, ...others] = ran.filter((o) => record(o.cell.runDir).teacherFrom === undefined)
        expect(others).toEqual([])
        const taker = ran.find((o) => o !== trainer)!
        expect(path.resolve(taker.cell.runDir, record(taker.cell.runDir).teacherFrom.runDir)).toBe(
          path.resolve(trainer!.cell.runDir)
        )
        const metrics = (runDir: string) => readFileSync(path.join(runDir, "metrics.jsonl"), "utf8")
        expect(metrics(taker.cell.runDir)).toBe(metrics(trainer!.cell.runDir))
        expect(taker.result.dev).toEqual(trainer!.result.dev)
        expect(taker.result.lang).toBe(taker.cell.lang)
        expect(new Set(ran.map((o) => o.result.lang))).toEqual(new Set(["de", "es"]))
        expect(taker.result.test).not.toEqual(trainer!.result.test)
      }).pipe(Effect.provide(runLayer("cpu"))),
    600_000
  )

  // live clock: the engines poll and sleep for real
  it.scopedLive(
    "local engine, then two runners on Postgres with one killed mid-cell: same results, nothing twice",
    () =>
      Effect.gen(function* () {
        const { dir, grid } = yield* tinyGrid({
          name: "tiny",
          sourceSizes: [48],
          methods: ["en"],
          targets: targetsOf("conll", ["de"]),
          seeds: [1, 2, 3, 4]
        })
        const cellsIn = (out: string) => expandGrid(grid, { out })

        // the local engine, one cell at a time: each cell runs alone
        const localOut = path.join(dir, "local")
        const localCells = yield* cellsIn(localOut)
        const started = Date.now()
        const first = yield* submitGrid(grid.name, localCells).pipe(Effect.provide(local(1)))
        console.log(`[cluster test] local engine: 4 cells in ${((Date.now() - started) / 1000).toFixed(1)} s`)
        expect(first.failures).toEqual([])
        expect(first.outcomes.map((o) => o.status)).toEqual(["ran", "ran", "ran", "ran"])
        const reference = results(first, localOut)
        expect(Object.keys(reference)).toHaveLength(4)
        // a new local engine finds the cells complete in their folders: nothing runs, and each
        // shows as done from the start with the time its result records
        const listings: Array<CellListing> = []
        const again = yield* submitGrid(grid.name, localCells, {
          onProgress: (listing) => Effect.sync(() => listings.push(listing))
        }).pipe(Effect.provide(local(1)))
        expect(again.outcomes.map((o) => o.status)).toEqual(["skipped", "skipped", "skipped", "skipped"])
        expect(results(again, localOut)).toEqual(reference)
        const shown = listings.at(-1)!.rows
        expect(shown.map((r) => [r.state, r.attempts])).toEqual(Array(4).fill(["done", 0]))
        const recorded = new Map(
          again.outcomes.flatMap((o) =>
            o.status === "unavailable" ? [] : [[o.cell.runDir, o.result.seconds]]
          )
        )
        for (const row of shown)
          expect((row.finishedAt! - row.startedAt!) / 1000).toBeCloseTo(recorded.get(row.runDir)!, 0)

        if (!hasPostgres) return
        const url = yield* scopedPostgres
        const runners = new Map<string, ChildProcess>()
        for (let i = 0; i < 2; i++) {
          const { address, child } = yield* startRunner(url)
          runners.set(address, child)
        }
        // a third on a port in use is refused with a message naming it, not the socket's "Open"
        const taken = yield* spawnRunner(url, Number([...runners.keys()][0]!.split(":")[1])).pipe(Effect.flip)
        expect(taken.message).toMatch(
          /runner exited \(1\): a runner cannot listen on 0\.0\.0\.0:\d+ \(listen EADDRINUSE/
        )
        const clusterOut = path.join(dir, "cluster")
        const most = yield* watchTraining(clusterOut)
        const cells: ReadonlyArray<GridCell> = yield* cellsIn(clusterOut)
        let killed: { readonly runner: string; readonly runDir: string } | undefined
        const killAfterFirstEval = (listing: CellListing) =>
          Effect.sync(() => {
            if (killed !== undefined) return
            // past the evaluation at step 2 (its state saved), before the last at 6
            const row = listing.rows.find((r) => r.state === "running" && r.step >= 3 && r.step < 6)
            if (row?.runner == null) return
            killed = { runner: row.runner, runDir: row.runDir }
            runners.get(row.runner)?.kill("SIGKILL")
          })
        const clusterStarted = Date.now()
        const run = yield* submitGrid(grid.name, cells, {
          onProgress: killAfterFirstEval,
          pollEvery: "300 millis"
        }).pipe(Effect.provide(clientEngine(url)))
        console.log(
          `[cluster test] two runners, one killed: 4 cells in ${((Date.now() - clusterStarted) / 1000).toFixed(1)} s`
        )
        expect(run.failures).toEqual([])
        expect(killed).toBeDefined()
        expect(results(run, clusterOut)).toEqual(reference)
        for (const cell of cells) {
          const relative = path.relative(clusterOut, cell._tag === "Runnable" ? cell.runDir : "")
          const metrics = (root: string) => readFileSync(path.join(root, relative, "metrics.jsonl"), "utf8")
          expect(withoutTimes(metrics(clusterOut))).toBe(withoutTimes(metrics(localOut)))
        }
        // never two training processes for one cell at once
        expect([...most.values()].every((n) => n === 1)).toBe(true)
        expect(most.size).toBe(4)
        // the killed cell went on from its state at step 2, not from scratch: one evaluation at 2
        const log = readFileSync(path.join(killed!.runDir, "run.log"), "utf8")
        expect(log.match(/teacher step 2\//g)).toHaveLength(1)
        expect(log.match(/teacher step 6\//g)).toHaveLength(1)

        // resubmitting returns the stored results at once; no training process starts
        most.clear()
        const resubmitted = yield* submitGrid(grid.name, cells).pipe(Effect.provide(clientEngine(url)))
        expect(resubmitted.outcomes.map((o) => o.status)).toEqual([
          "skipped",
          "skipped",
          "skipped",
          "skipped"
        ])
        expect(results(resubmitted, clusterOut)).toEqual(reference)
        expect(most.size).toBe(0)
        // `concner status` lists them from the cell table
        const status = spawnSync(process.execPath, [bin, "status", "--cluster", url], {
          encoding: "utf8",
          timeout: 120_000
        })
        expect(status.status).toBe(0)
        expect(status.stdout).toContain("tiny: 4/4 done, 0 running, 0 queued, 0 failed")
      }).pipe(Effect.provide(runLayer("cpu"))),
    900_000
  )
})
