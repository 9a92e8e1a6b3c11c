/**
 * The `Batcher` service: the batches a stage trains on, as a `Stream` from a position on. The
 * default Layer is `batches.ts`' seeded order (a permutation per epoch, N source rows then their
 * N translations), so a position alone fixes the data and a resumed stage sees the batches an
 * uninterrupted one would. Another Layer can pair or sample differently; it must be a function of
 * its arguments too, or resuming no longer reproduces a run.
 */
import { Context, Layer, Option, Stream } from "effect"
import { type Batch, type BatchRows, batchesPerEpoch, epochBatches, makeBatch } from "./batches.js"
import type { TrainExample } from "./examples.js"

/** Where a stage stands: the next step to run and its place in the data order. */
export interface Position {
  readonly step: number
  readonly epoch: number
  readonly batch: number
}

export const START: Position = { step: 0, epoch: 0, batch: 0 }

/** How a stage draws its batches. */
export interface BatchOrder {
  /** N: examples per batch. */
  readonly batchSize: number
  readonly seed: number
  readonly rows: BatchRows
  readonly padId: number
}

/** One batch with where it sits and where the next one starts. */
export interface PositionedBatch {
  readonly position: Position
  readonly next: Position
  readonly batch: Batch
}

export interface BatcherShape {
  /** The batches of `examples` from `from` on, epoch after epoch without end (the stage takes what it needs). */
  readonly batches: (
    examples: ReadonlyArray<TrainExample>,
    order: BatchOrder,
    from: Position
  ) => Stream.Stream<PositionedBatch>
  /** Batches in one epoch of `examples` examples. */
  readonly perEpoch: (examples: number, batchSize: number) => number
}

/** The seeded epoch order of `batches.ts`. */
export const seededBatcher: BatcherShape = {
  perEpoch: batchesPerEpoch,
  batches: (examples, order, from) => {
    const perEpoch = batchesPerEpoch(examples.length, order.batchSize)
    let epochOrder: { readonly epoch: number; readonly batches: Array<Array<number>> } | undefined
    return Stream.unfold(from, (position) => {
      if (epochOrder?.epoch !== position.epoch)
        epochOrder = {
          epoch: position.epoch,
          batches: epochBatches(examples.length, order.batchSize, order.seed, position.epoch)
        }
      const batch = makeBatch(
        examples,
        epochOrder.batches[position.batch]!,
        order.rows,
        order.padId,
        position
      )
      const step = position.step + 1
      const next: Position =
        position.batch + 1 < perEpoch
          ? { step, epoch: position.epoch, batch: position.batch + 1 }
          : { step, epoch: position.epoch + 1, batch: 0 }
      return Option.some([{ position, next, batch }, next] as const)
    })
  }
}

export class Batcher extends Context.Tag("concner/Batcher")<Batcher, BatcherShape>() {
  static readonly Default = Layer.succeed(Batcher, seededBatcher)
}
