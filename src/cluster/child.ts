/**
 * A cell trains in a child process of its runner (`concner runner-cell RUN_DIR`), never inside it:
 * training blocks the event loop for seconds at a time, which in the runner starved the cluster's
 * lock heartbeat and the cell's lease renewal (in an earlier trial a cell then ran twice). The
 * child reports its progress over Node's IPC channel and exits as soon as that channel closes,
 * so a runner killed with SIGKILL leaves no orphan training on: the cell's next runner is alone.
 */
import { spawn } from "node:child_process"
import { closeSync, openSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { FileSystem } from "@effect/platform"
import { Data, Effect, type Scope } from "effect"
import { type RunHooks, progressHooks } from "../experiment/progress.js"
import { type RunOptions, runOptionFlags } from "../experiment/run.js"
import type { ProgressService } from "../runtime/index.js"
import type { CellProgress } from "./CellStore.js"

/** Where a cell run in a child process writes its progress. */
export const RUN_LOG = "run.log"

const BIN = fileURLToPath(new URL("../../bin/concner.js", import.meta.url))

/**
 * `concner ARGS…` in a child process for the cell in `runDir`, its stderr appended to
 * `runDir/run.log`; fails with how it ended (`exited with code 1`), and is sent SIGTERM when
 * interrupted. With `onMessage` the child gets an IPC channel and its messages go there.
 */
export const concnerInChild = (
  runDir: string,
  args: ReadonlyArray<string>,
  onMessage?: (message: unknown) => void
) =>
  Effect.async<void, string>((resume) => {
    const log = openSync(path.join(runDir, RUN_LOG), "a")
    const child = spawn(process.execPath, [BIN, ...args], {
      stdio: onMessage === undefined ? ["ignore", "ignore", log] : ["ignore", "ignore", log, "ipc"]
    })
    let done = false
    const finish = (exit: string | undefined) => {
      if (done) return
      done = true
      closeSync(log)
      resume(exit === undefined ? Effect.void : Effect.fail(exit))
    }
    if (onMessage !== undefined) child.on("message", onMessage)
    child.on("error", (e) => finish(`could not start: ${e.message}`))
    child.on("exit", (code, signal) =>
      finish(code === 0 ? undefined : signal !== null ? `was killed (${signal})` : `exited with code ${code}`)
    )
    return Effect.sync(() => {
      child.kill("SIGTERM")
    })
  })

/** A cell's training process did not finish its run. */
export class CellProcessExited extends Data.TaggedError("CellProcessExited")<{
  readonly runDir: string
  readonly exit: string
}> {
  override get message() {
    return `training process ${this.exit}; see ${path.join(this.runDir, RUN_LOG)}`
  }
}

/** Progress messages at most this often (each becomes a database write at the next renewal anyway). */
const REPORT_EVERY_MS = 500

const isProgress = (m: unknown): m is CellProgress =>
  typeof m === "object" &&
  m !== null &&
  typeof (m as CellProgress).stage === "string" &&
  typeof (m as CellProgress).step === "number" &&
  typeof (m as CellProgress).total === "number"

/**
 * Runs `concner runner-cell runDir` (backend, data root and teachers folder passed on) to its end, its stderr
 * appended to `runDir/run.log`; `onProgress` gets each report. Interrupting kills the child.
 */
export const trainInChild = (
  runDir: string,
  options: RunOptions & { readonly backend: string; readonly dataRoot: string },
  onProgress: (progress: CellProgress) => void
) =>
  concnerInChild(
    runDir,
    [
      "runner-cell",
      runDir,
      "--backend",
      options.backend,
      "--data",
      options.dataRoot,
      ...runOptionFlags(options)
    ],
    (m) => {
      if (isProgress(m)) onProgress(m)
    }
  ).pipe(Effect.mapError((exit) => new CellProcessExited({ runDir, exit })))

/**
 * The child's side: exit when the runner goes away (the IPC channel closes), and hooks that
 * record the run as `concner resume` does (metrics.jsonl, progress lines on stderr) and report
 * each stage's step and total to the runner.
 */
export const childHooks = (
  runDir: string,
  progress: ProgressService
): Effect.Effect<RunHooks, never, Scope.Scope | FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const send = process.send?.bind(process)
    // without a runner (run by hand) there is nothing to report to, nor to outlive
    if (send === undefined) return yield* progressHooks(runDir, progress)
    process.on("disconnect", () => process.exit(1))
    // an open channel would keep this process alive after its run: only the run may do that
    process.channel?.unref()
    const hooks = yield* progressHooks(runDir, progress)
    let last = 0
    return {
      onEvent: (stage, event, total) =>
        Effect.zipRight(
          hooks.onEvent(stage, event, total),
          Effect.sync(() => {
            const now = Date.now()
            if (event._tag === "Step" && now - last < REPORT_EVERY_MS) return
            last = now
            const step = event._tag === "Step" ? event.result.step + 1 : event.step
            send({ stage, step, total } satisfies CellProgress)
          })
        )
    } satisfies RunHooks
  }).pipe(Effect.orDie)
