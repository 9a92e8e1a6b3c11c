/**
 * The `CheckpointSelector` service: when a stage evaluates on its selection set, and which
 * evaluated checkpoint it keeps. A stage opens a `StageSelection` in a scope; the selection holds the
 * kept weights as tensors, released when the scope closes (or when a better checkpoint replaces
 * them). The default Layer is the paper's rule — every `evalEvery` steps and after the last one,
 * keeping the highest dev F1 (ties keep the earlier step); `CheckpointSelector.last` keeps the
 * last checkpoint instead (the no-selection baseline).
 */
import { Context, Effect, Layer, Option, type Scope } from "effect"
import type { BertParams } from "../model/params.js"
import { tf } from "../runtime/tf.js"
import { type Weights, restoreWeights, snapshotWeights } from "./weights.js"

/** An evaluated checkpoint: its step and selection-set F1. */
export interface Checkpoint {
  readonly step: number
  readonly f1: number
}

/** A checkpoint with plain copies of its weights (as a stage's saved state holds it). */
export interface SavedBest extends Checkpoint {
  readonly weights: Weights
}

/** The checkpoints of one stage so far and the one kept. */
export interface StageSelection {
  /** Weighs an evaluation of `params` at `step`; whether it became the kept checkpoint. */
  readonly consider: (candidate: Checkpoint, params: BertParams) => Effect.Effect<boolean>
  /** The kept checkpoint, if any evaluation ran. */
  readonly kept: Effect.Effect<Option.Option<Checkpoint>>
  /** Plain copies of the kept weights (for the stage's saved state). */
  readonly keptWeights: Effect.Effect<Option.Option<Weights>>
  /** Writes the kept weights into `params`. */
  readonly restore: (params: BertParams) => Effect.Effect<boolean>
}

export interface CheckpointSelectorShape {
  /** Whether a stage evaluates after `done` of `total` steps, given its `evalEvery`. */
  readonly evaluatesAt: (done: number, total: number, evalEvery: number) => boolean
  /** A selection for one stage (from a resumed stage's kept checkpoint); its weights live until the scope closes. */
  readonly open: (from?: SavedBest) => Effect.Effect<StageSelection, never, Scope.Scope>
}

type Kept = { readonly checkpoint: Checkpoint; readonly tensors: ReadonlyArray<readonly [string, tf.Tensor]> }

const tensorsOf = (weights: Weights, params?: BertParams) =>
  Object.entries(weights).map(
    ([k, w]) => [k, tf.tensor(w, params?.[k]?.shape ?? [w.length], "float32")] as const
  )

/**
 * A selection keeping the checkpoint for which `better(candidate, kept)` last held (the first one
 * always). Its weights are tensors copied from the model's, disposed when replaced or at the end.
 */
const selectionBy = (better: (candidate: Checkpoint, kept: Checkpoint) => boolean) => (from?: SavedBest) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      let kept: Kept | undefined =
        from === undefined
          ? undefined
          : { checkpoint: { step: from.step, f1: from.f1 }, tensors: tensorsOf(from.weights) }
      const keptWeights = (k: Kept): Weights =>
        Object.fromEntries(k.tensors.map(([name, t]) => [name, (t.dataSync() as Float32Array).slice()]))
      const selection: StageSelection = {
        consider: (candidate, params) =>
          Effect.sync(() => {
            if (kept !== undefined && !better(candidate, kept.checkpoint)) return false
            const replaced = kept
            kept = { checkpoint: candidate, tensors: tensorsOf(snapshotWeights(params), params) }
            if (replaced !== undefined) tf.dispose(replaced.tensors.map(([, t]) => t))
            return true
          }),
        kept: Effect.sync(() => Option.fromNullable(kept?.checkpoint)),
        keptWeights: Effect.sync(() => Option.map(Option.fromNullable(kept), keptWeights)),
        restore: (params) =>
          Effect.sync(() => {
            if (kept === undefined) return false
            restoreWeights(params, keptWeights(kept))
            return true
          })
      }
      return { selection, dispose: () => kept && tf.dispose(kept.tensors.map(([, t]) => t)) }
    }),
    ({ dispose }) => Effect.sync(dispose)
  ).pipe(Effect.map(({ selection }) => selection))

const atEvalPoints = (done: number, total: number, evalEvery: number) =>
  done % evalEvery === 0 || done >= total

/** Highest dev F1; ties keep the earlier step. */
export const bestDevF1: CheckpointSelectorShape = {
  evaluatesAt: atEvalPoints,
  open: selectionBy((candidate, kept) => candidate.f1 > kept.f1)
}

/** The last evaluated checkpoint, whatever its F1. */
export const lastCheckpoint: CheckpointSelectorShape = {
  evaluatesAt: atEvalPoints,
  open: selectionBy(() => true)
}

export class CheckpointSelector extends Context.Tag("concner/CheckpointSelector")<
  CheckpointSelector,
  CheckpointSelectorShape
>() {
  static readonly Default = Layer.succeed(CheckpointSelector, bestDevF1)
  static readonly last = Layer.succeed(CheckpointSelector, lastCheckpoint)
}
