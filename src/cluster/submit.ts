/**
 * Submitting a grid to a workflow engine (a cluster's or the local one) and waiting for it: each
 * runnable cell is recorded as queued in the cell table and executed as its workflow; while they
 * run, `onProgress` sees the cell table every `pollEvery`. Cells whose workflow already finished
 * (a resubmitted grid) come back at once with their stored result, nothing re-run, and so do cells
 * complete in their folders (a grid resumed on a new engine: `skipped`); cells that failed are run
 * again (resumed from their run directory).
 */
import { Duration, Effect, Either, Fiber } from "effect"
import type { CellOutcome, GridCell, RunnableCell } from "../experiment/grid.js"
import type { RunOptions } from "../experiment/run.js"
import { type CellListing, CellStore } from "./CellStore.js"
import { type CellFailed, CellWorkflow, cellPayload, runIdOf } from "./workflow.js"

export interface SubmitOptions extends RunOptions {
  /** Called with the submitted cells' rows as they change, and once more at the end. */
  readonly onProgress?: (listing: CellListing) => Effect.Effect<void>
  readonly pollEvery?: Duration.DurationInput
  /** The grid's tags, recorded in each cell's `run.json`. */
  readonly tags?: ReadonlyArray<string>
}

export interface GridRun {
  /** Every cell's outcome in grid order, failed cells left out. */
  readonly outcomes: ReadonlyArray<CellOutcome>
  readonly failures: ReadonlyArray<{ readonly cell: RunnableCell; readonly error: CellFailed }>
}

export const submitGrid = (grid: string, cells: ReadonlyArray<GridCell>, options: SubmitOptions = {}) =>
  Effect.gen(function* () {
    const store = yield* CellStore
    const runnable = cells.filter((c): c is RunnableCell => c._tag === "Runnable")
    const ids = runnable.map((c) => runIdOf(c))
    yield* store.submit(runnable.map((c) => cellPayload(grid, c, 0, options)))
    const before = new Map((yield* store.list(ids)).rows.map((r) => [r.runId, r]))
    yield* store.retryFailed(ids)
    const generations = new Map((yield* store.list(ids)).rows.map((r) => [r.runId, r.generation]))
    const payloads = runnable.map((c, i) => cellPayload(grid, c, generations.get(ids[i]!) ?? 0, options))
    const executions = yield* Effect.forEach(payloads, (p) => Effect.either(CellWorkflow.execute(p)), {
      concurrency: "unbounded"
    }).pipe(Effect.fork)
    const show = Effect.flatMap(store.list(ids), (listing) => options.onProgress?.(listing) ?? Effect.void)
    const pollEvery = Duration.decode(options.pollEvery ?? "1 second")
    while ((yield* Fiber.poll(executions))._tag === "None") {
      yield* show
      yield* Effect.race(Effect.sleep(pollEvery), Fiber.await(executions))
    }
    const results = yield* Fiber.join(executions)
    yield* show
    // done without an attempt: found complete in its folder (`CellStore.found`), nothing trained
    const after = new Map((yield* store.list(ids)).rows.map((r) => [r.runId, r]))
    const failures: Array<GridRun["failures"][number]> = []
    const outcomes: Array<CellOutcome> = []
    for (const cell of cells) {
      if (cell._tag === "Unavailable") {
        outcomes.push({ cell, status: "unavailable" })
        continue
      }
      const i = runnable.indexOf(cell)
      const result = results[i]!
      if (Either.isLeft(result)) {
        failures.push({ cell, error: result.left })
        continue
      }
      const prior = before.get(payloads[i]!.runId)
      const status =
        prior?.state === "done" || after.get(payloads[i]!.runId)?.attempts === 0
          ? "skipped"
          : (prior?.attempts ?? 0) > 0
            ? "resumed"
            : "ran"
      outcomes.push({ cell, status, result: result.right })
    }
    return { outcomes, failures } satisfies GridRun
  }).pipe(Effect.withSpan("Cluster.submitGrid"))
