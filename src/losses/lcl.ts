import { fusedLabelContrastive, hasFusedLabelContrastive } from "../runtime/nativeKernels.js"
import { type Scalar, type Tensor1D, type Tensor2D, tf } from "../runtime/tf.js"
import { weightedContrastive } from "./contrastive.js"
import { checkTemperature, cosineLogits, cosines } from "./cosine.js"
import { LossInputError } from "./errors.js"
import { type LabelRelation, lclPairWeights, relationTypes } from "./labelRelation.js"

export interface LclOptions {
  /** τ_LCL; the paper uses 0.1. */
  readonly temperature?: number
  /** Makes the loss label-relation-aware (B-X and I-X not pushed apart); see `LabelRelation`. */
  readonly relation?: LabelRelation
}

/**
 * Label contrastive loss, eqs. 4–5. `h` `[M, d]` token vectors (first subwords of labeled
 * words), `labels` int32 `[M]`. For anchor i the positives are all p ≠ i with y_p = y_i, the
 * denominator all k ≠ i, similarities are cosines over τ:
 *
 *   L_i = −(1/|P(i)|) Σ_{p∈P(i)} log( exp(cos(h_i,h_p)/τ) / Σ_{k≠i} exp(cos(h_i,h_k)/τ) )
 *
 * Anchors with no positive are left out of the mean (project choice); 0 when none has one.
 * Neither input is disposed; only the result survives the call. With the native kernels the
 * pair weights come from the labels inside one fused kernel (`fusedLabelContrastive`); the
 * composite below (dense weights, `weightedContrastive`) is the reference it is tested against.
 */
export const labelContrastiveLoss = (h: Tensor2D, labels: Tensor1D, options: LclOptions = {}): Scalar => {
  const temperature = options.temperature ?? 0.1
  checkTemperature("labelContrastiveLoss", temperature)
  if (h.rank !== 2 || labels.rank !== 1 || h.shape[0] !== labels.shape[0])
    throw new LossInputError({
      loss: "labelContrastiveLoss",
      reason: `expected h [M, d] and labels [M], got [${h.shape}] and [${labels.shape}]`
    })
  return tf.tidy(() => {
    // keeps the result connected to h, so tf.grad gives zeros rather than an error
    if (h.shape[0] === 0) return tf.mul(tf.sum(h), 0) as Scalar
    const relation = options.relation
    if (hasFusedLabelContrastive()) {
      const types = relation === undefined ? labels : relationTypes(labels, relation)
      return fusedLabelContrastive(
        cosines(h),
        labels,
        types,
        temperature,
        relation?.relatedWeight ?? 0
      ) as Scalar
    }
    const { positiveWeights, excluded } = lclPairWeights(labels, relation)
    return weightedContrastive(cosineLogits(h, temperature), positiveWeights, excluded)
  })
}
