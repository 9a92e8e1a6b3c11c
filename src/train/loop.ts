/**
 * The training loop of one stage (teacher or student) as a `Stream` of events: one `Step` per
 * batch and, every `evalEvery` steps and after the last one, an `Eval` on the selection set
 * (English dev). The best weights (highest dev F1; ties keep the earlier step) are snapshotted in
 * memory. The stream is pulled one event at a time, so a consumer that sees an `Eval` can persist
 * the resumable state (weights, optimizer, position, best) before the next step runs.
 */
import { Effect, Either, Stream } from "effect"
import { LossTerms } from "../losses/LossTerms.js"
import type { Objective, ObjectiveStage as Stage } from "../losses/objective.js"
import type { BertConfig } from "../model/config.js"
import type { BertParams } from "../model/params.js"
import { Batcher, type Position } from "./Batcher.js"
import { type Checkpoint, CheckpointSelector, type StageSelection } from "./CheckpointSelector.js"
import type { BatchRows } from "./batches.js"
import type { NonFiniteGradient, NonFiniteLoss } from "./errors.js"
import type { TrainExample } from "./examples.js"
import type { Schedule } from "./schedule.js"
import { type StepResult, type Trainee, trainStep } from "./step.js"

export interface StageSettings {
  readonly run: string
  readonly seed: number
  readonly objective: Objective
  readonly stage: Stage
  readonly rows: BatchRows
  readonly batchSize: number
  readonly epochs: number
  /** Stop after this many steps even if epochs remain. */
  readonly maxSteps?: number
  readonly evalEvery: number
  readonly schedule: Schedule
  readonly maxGradNorm?: number
  readonly tagTypes: ReadonlyArray<number>
  readonly padId: number
}

export type TrainEvent =
  | { readonly _tag: "Step"; readonly result: StepResult }
  | {
      readonly _tag: "Eval"
      readonly step: number
      readonly f1: number
      readonly improved: boolean
      /** The kept checkpoint (this evaluation included). */
      readonly best: Checkpoint
      /** Where the next step would start. */
      readonly next: Position
      readonly last: boolean
    }

/** A stage's steps: its epochs of `perEpoch` batches, capped by `maxSteps`. */
export const totalSteps = (
  settings: Pick<StageSettings, "epochs" | "maxSteps">,
  perEpoch: number
): number => {
  const all = settings.epochs * perEpoch
  return settings.maxSteps === undefined ? all : Math.min(all, settings.maxSteps)
}

/**
 * Trains `trainee` from `from` (`START`, or a resumed position) on the `Batcher`'s batches, with
 * the loss of the `LossTerms` service, and scores it with `evaluate` (dev F1 of the current
 * weights) where the `CheckpointSelector` says; `selection` (opened by the caller, who restores
 * the kept weights at the end) weighs each evaluation. `teacher`: the frozen model of the
 * student stage.
 */
export const trainStage = (
  trainee: Trainee,
  settings: StageSettings,
  examples: ReadonlyArray<TrainExample>,
  evaluate: (params: BertParams) => Effect.Effect<number>,
  selection: StageSelection,
  from: Position,
  teacher?: { readonly params: BertParams; readonly config: BertConfig }
): Stream.Stream<TrainEvent, NonFiniteLoss | NonFiniteGradient, Batcher | CheckpointSelector | LossTerms> =>
  Stream.unwrap(
    Effect.gen(function* () {
      const batcher = yield* Batcher
      const selector = yield* CheckpointSelector
      const terms = yield* LossTerms
      const total = totalSteps(settings, batcher.perEpoch(examples.length, settings.batchSize))
      const batches = batcher
        .batches(examples, settings, from)
        .pipe(Stream.take(Math.max(0, total - from.step)))
      return Stream.flatMap(batches, ({ position, next, batch }) =>
        Stream.fromIterableEffect(
          Effect.gen(function* () {
            const result = yield* Either.match(
              trainStep(trainee, settings, batch, position.step, settings.schedule(position.step), {
                evaluate: terms.evaluate,
                ...(teacher ? { teacher } : {})
              }),
              { onLeft: Effect.fail, onRight: Effect.succeed }
            )
            const stepEvent: TrainEvent = { _tag: "Step", result }
            const done = next.step
            if (!selector.evaluatesAt(done, total, settings.evalEvery)) return [stepEvent]
            const f1 = yield* evaluate(trainee.params)
            const improved = yield* selection.consider({ step: done, f1 }, trainee.params)
            const best = (yield* selection.kept).pipe((kept) =>
              kept._tag === "Some" ? kept.value : { step: done, f1 }
            )
            const last = done >= total
            return [stepEvent, { _tag: "Eval", step: done, f1, improved, best, next, last } as const]
          })
        )
      )
    })
  )
