import { type Scalar, type Tensor2D, tf } from "../runtime/tf.js"
import { MASKED_LOGIT } from "./cosine.js"

/**
 * The supervised-contrastive form shared by LCL (eq. 5) and TCL (eq. 7):
 *
 *   L_i = −(1 / Σ_p w_ip) Σ_p w_ip · log( exp(s_ip) / Σ_{k : excluded_ik = 0} exp(s_ik) )
 *   L   = mean of L_i over the anchors with Σ_p w_ip > 0   (0 when there is none)
 *
 * `logits` are `s = cos/τ` `[M, M]`; `positiveWeights` `w ≥ 0` `[M, M]` with a zero diagonal;
 * `excluded` (0/1, `[M, M]`) marks the entries left out of the denominator — at least the
 * diagonal, never a positive (`w_ip > 0 ⇒ excluded_ip = 0`).
 * Uses `tf.logSoftmax` rather than `tf.logSumExp` (whose `max` gradient goes through a slow
 * broadcast `Equal` on big matrices, PERF-NOTES.md); left-out entries get `MASKED_LOGIT` and are
 * only ever multiplied by a zero weight, so neither values nor gradients see −∞.
 */
export const weightedContrastive = (
  logits: Tensor2D,
  positiveWeights: Tensor2D,
  excluded: Tensor2D
): Scalar =>
  tf.tidy(() => {
    const logProb = tf.logSoftmax(tf.add(logits, tf.mul(excluded, MASKED_LOGIT)), 1)
    const weightSum = tf.sum(positiveWeights, 1)
    const hasPositive = tf.cast(tf.greater(weightSum, 0), "float32")
    // anchors without a positive have a zero numerator; the max keeps their 0/0 at 0
    const perAnchor = tf.div(
      tf.neg(tf.sum(tf.mul(positiveWeights, logProb), 1)),
      tf.maximum(weightSum, 1e-12)
    )
    return tf.div(tf.sum(tf.mul(perAnchor, hasPositive)), tf.maximum(tf.sum(hasPositive), 1)) as Scalar
  })
