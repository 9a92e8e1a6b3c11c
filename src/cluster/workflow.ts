/**
 * A grid cell as a durable workflow (@effect/workflow): its payload is the resolved spec and the
 * run directory; its execution id derives from the cell's **run id**, the hash of the resolved
 * spec and its run directory, with its generation (bumped each time a failed cell is submitted
 * again). Executing a cell whose workflow has finished returns the stored result without running
 * anything; one whose runner died is taken up again by the runner that gets its shard, and its
 * training resumes from the run directory's last resumable state. The body is one activity,
 * `train` (see `runner.ts`).
 */
import { Workflow } from "@effect/workflow"
import { Schema } from "effect"
import { type RunnableCell, cellLabel } from "../experiment/grid.js"
import { RunResult } from "../experiment/result.js"
import type { RunOptions } from "../experiment/run.js"
import { ExperimentSpec } from "../experiment/spec.js"
import { canonicalHash } from "../records/canonicalJson.js"

/** A cell that did not finish: its training process failed, or its folder holds another run. */
export class CellFailed extends Schema.TaggedError<CellFailed>()("CellFailed", {
  runDir: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `${this.runDir}: ${this.reason}`
  }
}

export const CellPayload = Schema.Struct({
  runId: Schema.String,
  grid: Schema.String,
  /** Coordinates for people: `conll en de 64 seed 1`. */
  label: Schema.String,
  runDir: Schema.String,
  spec: ExperimentSpec,
  /** The grid's folder of finished teachers its cells share (`RunOptions.teachers`). */
  teachers: Schema.optional(Schema.String),
  /** The grid's experiment module, which registers its custom loss terms (`RunOptions.experiment`). */
  experiment: Schema.optional(Schema.String),
  /** The grid's tags, recorded in each cell's `run.json` (whose name is the grid's). */
  tags: Schema.optional(Schema.Array(Schema.String)),
  /** 0, then one more each time the cell is submitted again after failing (see `CellStore`). */
  generation: Schema.Int
})
export type CellPayload = typeof CellPayload.Type

export const CellWorkflow = Workflow.make({
  name: "concner/GridCell",
  payload: CellPayload,
  success: RunResult,
  error: CellFailed,
  idempotencyKey: (payload) => `${payload.runId}/${payload.generation}`
})

/** The run id of a cell: its spec hash (as `spec.json` records it) with its run directory. */
export const runIdOf = (cell: RunnableCell): string =>
  canonicalHash({ specSha256: cell.specSha256, runDir: cell.runDir })

/** A runnable cell as its workflow's payload. */
export const cellPayload = (
  grid: string,
  cell: RunnableCell,
  generation = 0,
  options: RunOptions & { readonly tags?: ReadonlyArray<string> | undefined } = {}
): CellPayload => ({
  runId: runIdOf(cell),
  grid,
  label: cellLabel(cell),
  runDir: cell.runDir,
  spec: cell.spec,
  ...(options.teachers !== undefined ? { teachers: options.teachers } : {}),
  ...(options.experiment !== undefined ? { experiment: options.experiment } : {}),
  ...(options.tags !== undefined && options.tags.length > 0 ? { tags: options.tags } : {}),
  generation
})

/** The run options a cell's payload carries. */
export const payloadRunOptions = (payload: CellPayload): RunOptions => ({
  ...(payload.teachers !== undefined ? { teachers: payload.teachers } : {}),
  ...(payload.experiment !== undefined ? { experiment: payload.experiment } : {})
})
