/**
 * The resumable state of a run, written at every evaluation point into `RUN_DIR/state.safetensors`
 * (atomically, with a checksum: see `runState`): the stage, the current weights, AdamW's moments,
 * the best weights so far and the data position. Dropout masks are seeded by `seed/step` and the
 * data order by `seed/epoch`, so nothing else is needed to continue exactly where the run was.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Effect, Option, Schema } from "effect"
import type { ObjectiveStage } from "../losses/objective.js"
import type { BertParams } from "../model/params.js"
import type { Position } from "../train/Batcher.js"
import type { SavedBest } from "../train/CheckpointSelector.js"
import type { AdamW, AdamWState } from "../train/adamw.js"
import { RunStateMeta, STATE_FILE, readRunState, writeRunState } from "../train/runState.js"
import { type Weights, snapshotWeights } from "../train/weights.js"
import { StageResult } from "./result.js"

export interface StageCheckpoint {
  readonly stage: ObjectiveStage
  readonly position: Position
  readonly best: SavedBest
  readonly weights: Weights
  readonly optimizer: AdamWState
  /** The teacher's outcome, once the run is in the student stage. */
  readonly teacher?: StageResult
  /** Wall seconds the run had spent when the state was saved (0 in states from versions that did not record it). */
  readonly seconds: number
}

const Extra = Schema.Struct({
  stage: Schema.Literal("teacher", "student"),
  teacher: Schema.optional(StageResult),
  seconds: Schema.optional(Schema.Number)
})

const prefixed = (prefix: string, record: Readonly<Record<string, Float32Array>>) =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [`${prefix}${k}`, v]))

const unprefixed = (prefix: string, record: Readonly<Record<string, Float32Array>>) =>
  Object.fromEntries(
    Object.entries(record).flatMap(([k, v]) => (k.startsWith(prefix) ? [[k.slice(prefix.length), v]] : []))
  )

export const saveStageCheckpoint = Effect.fn("RunState.saveStage")(function* (
  runDir: string,
  stage: ObjectiveStage,
  at: { readonly next: Position; readonly best: SavedBest; readonly seed: number; readonly seconds: number },
  model: { readonly params: BertParams; readonly optimizer: AdamW },
  teacher?: StageResult
) {
  const extra = Schema.encodeSync(Extra)({ stage, seconds: at.seconds, ...(teacher ? { teacher } : {}) })
  yield* writeRunState(path.join(runDir, STATE_FILE), {
    meta: RunStateMeta.make({
      step: at.next.step,
      epoch: at.next.epoch,
      batchIndex: at.next.batch,
      rngState: `seed ${at.seed}: dropout from "seed/step", data order from "seed/epoch"`,
      bestDev: { step: at.best.step, f1: at.best.f1 },
      extra
    }),
    tensors: {
      ...prefixed("weights/", snapshotWeights(model.params)),
      ...prefixed("adamw/", model.optimizer.exportState()),
      ...prefixed("best/", at.best.weights)
    }
  })
})

/** The state of `runDir`, or none when no evaluation point was reached yet. */
export const loadStageCheckpoint = Effect.fn("RunState.loadStage")(function* (runDir: string) {
  const fs = yield* FileSystem.FileSystem
  const file = path.join(runDir, STATE_FILE)
  if (!(yield* fs.exists(file))) return Option.none<StageCheckpoint>()
  const { meta, tensors } = yield* readRunState(file)
  const extra = yield* Schema.decodeUnknown(Extra)(meta.extra)
  const bestDev = meta.bestDev
  if (bestDev === null)
    return yield* Effect.dieMessage(`${file}: a stage checkpoint without a best evaluation`)
  return Option.some<StageCheckpoint>({
    stage: extra.stage,
    position: { step: meta.step, epoch: meta.epoch, batch: meta.batchIndex },
    best: { ...bestDev, weights: unprefixed("best/", tensors) },
    weights: unprefixed("weights/", tensors),
    optimizer: unprefixed("adamw/", tensors),
    seconds: extra.seconds ?? 0,
    ...(extra.teacher ? { teacher: extra.teacher } : {})
  })
})
