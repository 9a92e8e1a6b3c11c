/**
 * A loss term a user adds to an objective, beside the five built-in ones: a name, a version the
 * user bumps when the term's arithmetic changes (both recorded in the spec, so a run says which
 * term trained it), the data it reads, and a pure tensor function over one teacher-stage batch.
 * `tokenTerm` and `pairTerm` make one from a loss of the shape the laws check (`laws.ts`): a
 * variant checked by `tokenLossLaws`/`pairLossLaws` is the same function that trains.
 */
import * as Schema from "effect/Schema"
import type { Scalar, Tensor1D, Tensor2D, Tensor3D } from "../runtime/tf.js"
import type { PairLoss, TokenLoss } from "./laws.js"

/** What a term sees of one teacher-stage batch (one forward pass over all its rows). */
export interface TermBatch {
  /** Last hidden states `[rows, T, d]`. */
  readonly hidden: Tensor3D
  /** Classifier logits `[rows, T, C]`. */
  readonly logits: Tensor3D
  /** Tag ids `[rows, T]`, −100 where nothing is trained (special tokens, continuation subwords, padding). */
  readonly labels: Tensor2D
  /** 1 on real subwords `[rows, T]`. */
  readonly attentionMask: Tensor2D
  /** Row ranges `[start, end)` of the source sentences and of their translations, when present. */
  readonly source?: readonly [number, number]
  readonly translation?: readonly [number, number]
  /** Per tag id: its entity type's index (0 for O), as relation-aware LCL reads it. */
  readonly tagTypes: ReadonlyArray<number>
  /** LCL's input: first-subword vectors `[M, d]` of every labeled token, and their tag ids `[M]`. */
  readonly tokens: () => { readonly vectors: Tensor2D; readonly labels: Tensor1D }
  /** TCL's input: mean-pooled sentence vectors `[rows, d]`; in a paired batch row i and i+N are a pair. */
  readonly sentences: () => Tensor2D
}

/** The data a term's batches must carry (as `DataNeeds`: source sentences, their translations). */
export const TermNeeds = Schema.Struct({ source: Schema.Boolean, translations: Schema.Boolean })
export type TermNeeds = typeof TermNeeds.Type

/** A term's identity as a spec records it. */
export interface LossTermId {
  readonly name: string
  readonly version: string
  readonly needs: TermNeeds
}

export interface LossTerm extends LossTermId {
  /** The unweighted term on one batch; tensors in, a scalar out, every intermediate freed. */
  readonly loss: (batch: TermBatch) => Scalar
}

/** A term over labeled token vectors (like LCL) from a `TokenLoss`, at temperature `temperature`. */
export const tokenTerm = (
  id: Omit<LossTermId, "needs"> & { readonly needs?: TermNeeds; readonly temperature: number },
  loss: TokenLoss
): LossTerm => ({
  name: id.name,
  version: id.version,
  needs: id.needs ?? { source: true, translations: false },
  loss: (batch) => {
    const { vectors, labels } = batch.tokens()
    return loss(vectors, labels, id.temperature)
  }
})

/**
 * A term over sentence vectors paired row i ↔ row i+N (like TCL) from a `PairLoss`; it reads
 * source sentences and their translations.
 */
export const pairTerm = (
  id: Omit<LossTermId, "needs"> & { readonly temperature: number },
  loss: PairLoss
): LossTerm => ({
  name: id.name,
  version: id.version,
  needs: { source: true, translations: true },
  loss: (batch) => loss(batch.sentences(), id.temperature)
})
