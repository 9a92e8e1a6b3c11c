/**
 * The training loop of one stage (teacher or student) as a `Stream` of events: one `Step` per
 * batch and, every `evalEvery` steps and after the last one, an `Eval` on the selection set
 * (English dev). The best weights (highest dev F1; ties keep the earlier step) are snapshotted in
 * memory. The stream is pulled one event at a time, so a consumer that sees an `Eval` can persist
 * the resumable state (weights, optimizer, position, best) before the next step runs.
 */
import { Chunk, Effect, Either, Option, Stream } from "effect"
import type { Objective, ObjectiveStage as Stage } from "../losses/objective.js"
import type { BertConfig } from "../model/config.js"
import type { BertParams } from "../model/params.js"
import { type BatchRows, batchesPerEpoch, epochBatches, makeBatch } from "./batcher.js"
import type { NonFiniteGradient, NonFiniteLoss } from "./errors.js"
import type { TrainExample } from "./examples.js"
import type { Schedule } from "./schedule.js"
import { type StepResult, type Trainee, trainStep } from "./step.js"
import { type Weights, snapshotWeights } from "./weights.js"

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

/** Where a stage stands: the next step to run and its place in the data order. */
export interface Position {
  readonly step: number
  readonly epoch: number
  readonly batch: number
}

export interface Best {
  readonly step: number
  readonly f1: number
  readonly weights: Weights
}

export type TrainEvent =
  | { readonly _tag: "Step"; readonly result: StepResult }
  | {
      readonly _tag: "Eval"
      readonly step: number
      readonly f1: number
      readonly improved: boolean
      /** The best so far (this evaluation included). */
      readonly best: Best
      /** Where the next step would start. */
      readonly next: Position
      readonly last: boolean
    }

export const totalSteps = (settings: StageSettings, examples: number): number => {
  const all = settings.epochs * batchesPerEpoch(examples, settings.batchSize)
  return settings.maxSteps === undefined ? all : Math.min(all, settings.maxSteps)
}

export const START: Position = { step: 0, epoch: 0, batch: 0 }

/**
 * Trains `trainee` from `from` (START, or a resumed position with the best so far) and scores it
 * with `evaluate` (dev F1 of the current weights). `teacher`: the frozen model of the student stage.
 */
export const trainStage = (
  trainee: Trainee,
  settings: StageSettings,
  examples: ReadonlyArray<TrainExample>,
  evaluate: (params: BertParams) => Effect.Effect<number>,
  from: { readonly position: Position; readonly best?: Best } = { position: START },
  teacher?: { readonly params: BertParams; readonly config: BertConfig }
): Stream.Stream<TrainEvent, NonFiniteLoss | NonFiniteGradient> => {
  const total = totalSteps(settings, examples.length)
  const perEpoch = batchesPerEpoch(examples.length, settings.batchSize)
  let epochOrder: { epoch: number; batches: Array<Array<number>> } | undefined
  const batchAt = (p: Position) => {
    if (epochOrder?.epoch !== p.epoch)
      epochOrder = {
        epoch: p.epoch,
        batches: epochBatches(examples.length, settings.batchSize, settings.seed, p.epoch)
      }
    return makeBatch(examples, epochOrder.batches[p.batch]!, settings.rows, settings.padId, p)
  }
  type State = { readonly position: Position; readonly best: Best | undefined }
  return Stream.unfoldChunkEffect<State, TrainEvent, NonFiniteLoss | NonFiniteGradient, never>(
    { position: from.position, best: from.best },
    ({ position, best }) =>
      Effect.gen(function* () {
        if (position.step >= total) return Option.none()
        const batch = batchAt(position)
        const result = yield* Either.match(
          trainStep(trainee, settings, batch, position.step, settings.schedule(position.step), teacher),
          { onLeft: Effect.fail, onRight: Effect.succeed }
        )
        const done = position.step + 1
        const next: Position =
          position.batch + 1 < perEpoch
            ? { step: done, epoch: position.epoch, batch: position.batch + 1 }
            : { step: done, epoch: position.epoch + 1, batch: 0 }
        const stepEvent: TrainEvent = { _tag: "Step", result }
        const last = done >= total
        if (done % settings.evalEvery !== 0 && !last)
          return Option.some([Chunk.of(stepEvent), { position: next, best }] as const)
        const f1 = yield* evaluate(trainee.params)
        const improved = best === undefined || f1 > best.f1
        const newBest: Best = improved ? { step: done, f1, weights: snapshotWeights(trainee.params) } : best
        const evalEvent: TrainEvent = { _tag: "Eval", step: done, f1, improved, best: newBest, next, last }
        return Option.some([Chunk.make(stepEvent, evalEvent), { position: next, best: newBest }] as const)
      })
  )
}
