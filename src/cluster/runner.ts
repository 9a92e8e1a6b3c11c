/**
 * What a runner does with a cell's workflow: one activity, `train`, which waits for one of the
 * runner's slots (one per GPU, say), takes the cell's lease (`CellStore`), then brings the run
 * directory to completion — a recorded one resumed from its last evaluation point, a new one
 * recorded and run — in a child process (`child.ts`), renewing the lease as the child reports its
 * progress. A lost lease stops the child; a dead runner's cell is executed again by the runner
 * that inherits its shard, and resumes from the run directory. A cell already complete in its
 * folder is read back before any of this, holding no slot. The local engine runs the very same
 * layer in-process, its workflows and cells in memory.
 */
import * as path from "node:path"
import { Activity } from "@effect/workflow"
import { Cause, Data, Duration, Effect, Exit, Layer, Option, Schedule } from "effect"
import { Corpora } from "../data/Corpora.js"
import { type RunnableCell, cellState, readResult, specHash } from "../experiment/grid.js"
import { recordRun } from "../experiment/run.js"
import { TensorRuntime } from "../runtime/TensorRuntime.js"
import { type CellProgress, CellStore } from "./CellStore.js"
import { trainInChild } from "./child.js"
import { CellFailed, type CellPayload, CellWorkflow, payloadRunOptions } from "./workflow.js"

export interface RunnerOptions {
  /** Cells this runner trains at once. */
  readonly slots: number
  /** This runner's name in the cell table (unique per process). */
  readonly runnerId: string
  /** How long a lease lasts without renewal (default 30 s); renewed every 2 s (a quarter, if shorter). */
  readonly lease?: Duration.DurationInput
}

/** Another runner took the cell's lease: ours expired unrenewed (database out of reach). */
class LeaseLost extends Data.TaggedError("LeaseLost")<{ readonly runId: string }> {
  override get message() {
    return `lost the lease of run ${this.runId.slice(0, 12)}… to another runner`
  }
}

/** The workflow implementation a runner (or the local engine) registers. */
export const cellWorkflowLayer = (options: RunnerOptions) =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const slots = yield* Effect.makeSemaphore(options.slots)
      const leaseMs = Duration.toMillis(options.lease ?? "30 seconds")
      const me = options.runnerId
      // renewals also carry the progress `concner run` and `status` show: every 2 s at most
      const renewEveryMs = Math.min(leaseMs / 4, 2000)

      const cellOf = ({ runDir, spec }: CellPayload) =>
        ({ runDir, spec, specSha256: specHash(spec) }) as RunnableCell

      // a cell already complete in its folder (a grid resumed in a new sitting) is read back at
      // once, without waiting for a slot: progress and ETA count it as done from the start
      const readBack = (payload: CellPayload) =>
        Effect.gen(function* () {
          if ((yield* cellState(cellOf(payload))) !== "complete") return Option.none()
          const result = yield* readResult(path.join(payload.runDir, "result.json"))
          const store = yield* CellStore
          yield* store.submit([payload])
          yield* store.found(payload.runId, result.seconds)
          return Option.some(result)
        })

      const train = (payload: CellPayload) =>
        Effect.gen(function* () {
          const store = yield* CellStore
          const { backend } = yield* TensorRuntime
          const { root } = yield* Corpora
          const { runId, runDir, spec } = payload
          const cell = cellOf(payload)
          yield* store.submit([payload])
          // another runner still holds the lease (it lost the shard but not yet the lease): wait
          yield* store
            .acquire(runId, me, leaseMs)
            .pipe(Effect.repeat({ until: (taken) => taken, schedule: Schedule.spaced("2 seconds") }))
          const body = Effect.gen(function* () {
            const state = yield* cellState(cell)
            const resultFile = path.join(runDir, "result.json")
            if (state === "complete") return yield* readResult(resultFile)
            if (state === "new") yield* recordRun(spec, runDir, { name: payload.grid, tags: payload.tags })
            let progress: CellProgress | undefined
            const renewals = Effect.suspend(() => store.renew(runId, me, leaseMs, progress)).pipe(
              Effect.flatMap((held) => (held ? Effect.void : Effect.fail(new LeaseLost({ runId })))),
              Effect.delay(Duration.millis(renewEveryMs)),
              Effect.forever
            )
            yield* Effect.raceFirst(
              trainInChild(runDir, { backend, dataRoot: root, ...payloadRunOptions(payload) }, (p) => {
                progress = p
              }),
              renewals
            )
            return yield* readResult(resultFile)
          })
          return yield* body.pipe(
            Effect.onExit((exit) =>
              (Exit.isSuccess(exit)
                ? store.release(runId, me, "done")
                : Exit.isInterrupted(exit)
                  ? store.release(runId, me, "queued")
                  : store.release(runId, me, "failed", failureMessage(exit.cause))
              ).pipe(Effect.catchAllCause(Effect.logWarning))
            )
          )
        }).pipe(slots.withPermits(1))

      const execute = (payload: CellPayload) =>
        readBack(payload).pipe(
          Effect.flatMap(Option.match({ onSome: Effect.succeed, onNone: () => train(payload) })),
          Effect.mapError((e) => new CellFailed({ runDir: payload.runDir, reason: e.message })),
          Effect.catchAllDefect((defect) =>
            Effect.fail(new CellFailed({ runDir: payload.runDir, reason: Cause.pretty(Cause.die(defect)) }))
          )
        )

      return CellWorkflow.toLayer((payload) =>
        Activity.make({
          name: "train",
          success: CellWorkflow.successSchema,
          error: CellFailed,
          execute: execute(payload)
        })
      )
    })
  )

/** The message of a failed cell's error, for the cell table. */
const failureMessage = (cause: Cause.Cause<{ readonly message: string }>): string =>
  Option.match(Cause.failureOption(cause), {
    onNone: () => Cause.pretty(cause).split("\n")[0] ?? "failed",
    onSome: (e) => e.message
  })
