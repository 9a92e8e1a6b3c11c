import { fusedLabelContrastive, hasFusedLabelContrastive } from "../runtime/nativeKernels.js"
import { type Scalar, type Tensor2D, tf } from "../runtime/tf.js"
import { weightedContrastive } from "./contrastive.js"
import { checkTemperature, cosineLogits, cosines } from "./cosine.js"
import { LossInputError } from "./errors.js"

export interface TclOptions {
  /** τ_TCL; the paper uses 0.1. */
  readonly temperature?: number
}

/**
 * Translation contrastive loss, eqs. 6–7. `r` `[2N, d]` sentence vectors where rows i and i+N
 * are a sentence and its translation. InfoNCE per row with its pair as the positive and the
 * other 2N−2 rows as negatives, cosine over τ, averaged over the 2N rows:
 *
 *   L_i = −log( exp(cos(r_i,r_i⁺)/τ) / Σ_{k≠i} exp(cos(r_i,r_k)/τ) )
 */
export const translationContrastiveLoss = (r: Tensor2D, options: TclOptions = {}): Scalar => {
  const temperature = options.temperature ?? 0.1
  checkTemperature("translationContrastiveLoss", temperature)
  if (r.rank !== 2 || r.shape[0] % 2 !== 0)
    throw new LossInputError({
      loss: "translationContrastiveLoss",
      reason: `expected r [2N, d] (sentences then their translations), got [${r.shape}]`
    })
  return tf.tidy(() => {
    const rows = r.shape[0]
    if (rows === 0) return tf.mul(tf.sum(r), 0) as Scalar
    const n = rows / 2
    if (hasFusedLabelContrastive()) {
      // row i's only positive is its pair: pair ids as labels (the fused kernel leaves out j = i)
      const pairs = tf.tensor1d(
        Array.from({ length: rows }, (_, i) => i % n),
        "int32"
      )
      return fusedLabelContrastive(cosines(r), pairs, pairs, temperature, 0) as Scalar
    }
    const partner = Array.from({ length: rows }, (_, i) => (i + n) % rows)
    const positiveWeights = tf.cast(tf.oneHot(tf.tensor1d(partner, "int32"), rows), "float32") as Tensor2D
    return weightedContrastive(cosineLogits(r, temperature), positiveWeights, tf.eye(rows) as Tensor2D)
  })
}
