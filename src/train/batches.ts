/**
 * Batches for training: pure data (flat int32 arrays), no tensors. A paired batch holds N source
 * sentences in rows 0..N−1 and their N translations in rows N..2N−1, so row i and row i+N are a
 * sentence and its translation (what TCL expects). Rows are padded to the batch's longest
 * sentence only (dynamic padding); encodings are already truncated to the max length.
 *
 * Order: each epoch is a seeded permutation of the examples (`sampleIndices(n, n, "seed/epoch")`,
 * the data stage's cross-machine PRNG), cut into batches of N; the last, smaller batch is kept
 * (HF's default). A position `(epoch, batch)` therefore fixes the data order: resuming needs
 * nothing else.
 */
import { sampleIndices } from "../data/sampling.js"
import { padRows } from "../text/encoding.js"
import type { TrainExample } from "./examples.js"

export type BatchRows = "source" | "translation" | "paired"

export interface Batch {
  readonly epoch: number
  /** Index of the batch within its epoch. */
  readonly batch: number
  /** English indices of the batch's examples, in row order. */
  readonly indices: ReadonlyArray<number>
  readonly rows: number
  readonly length: number
  /** `(rows, length)` row-major. */
  readonly inputIds: Int32Array
  readonly attentionMask: Int32Array
  /** −100 where no label is trained (special tokens, continuation subwords, padding). */
  readonly labels: Int32Array
  /** Which rows are which: `source` and `translation` give `[start, end)` row ranges when present. */
  readonly source?: readonly [number, number]
  readonly translation?: readonly [number, number]
}

/** Batch indices of one epoch: a seeded permutation of `0..n−1` cut into chunks of `size`. */
export const epochBatches = (n: number, size: number, seed: number, epoch: number): Array<Array<number>> => {
  if (!(Number.isInteger(size) && size > 0))
    throw new RangeError(`batch size must be a positive integer, got ${size}`)
  const order = sampleIndices(n, n, `${seed}/${epoch}`)
  const batches: Array<Array<number>> = []
  for (let i = 0; i < n; i += size) batches.push(order.slice(i, i + size))
  return batches
}

export const batchesPerEpoch = (n: number, size: number): number => Math.ceil(n / size)

/** The batch of `examples` at `indices`, with the rows `kind` asks for. */
export const makeBatch = (
  examples: ReadonlyArray<TrainExample>,
  indices: ReadonlyArray<number>,
  kind: BatchRows,
  padId: number,
  position: { readonly epoch: number; readonly batch: number }
): Batch => {
  const picked = indices.map((i) => examples[i]!)
  const part = (key: "source" | "translation") =>
    picked.map((e) => {
      const encoding = e[key]
      if (encoding === undefined) throw new Error(`example ${e.index} has no ${key} sentence`)
      return encoding
    })
  const sources = kind === "translation" ? [] : part("source")
  const translations = kind === "source" ? [] : part("translation")
  const padded = padRows([...sources, ...translations], padId)
  const n = picked.length
  return {
    ...position,
    indices: picked.map((e) => e.index),
    ...padded,
    ...(kind !== "translation" ? { source: [0, n] as const } : {}),
    ...(kind === "translation" ? { translation: [0, n] as const } : {}),
    ...(kind === "paired" ? { translation: [n, 2 * n] as const } : {})
  }
}

/** Which rows a teacher-stage batch needs for an objective's data needs. */
export const rowsFor = (needs: { readonly source: boolean; readonly translations: boolean }): BatchRows =>
  needs.source && needs.translations ? "paired" : needs.translations ? "translation" : "source"
