import { type Scalar, type Tensor2D, tf } from "../runtime/tf.js"

/**
 * The reduction of eqs. 3 and 9: `values` `[B, T]` per-token losses, `mask` `[B, T]` (1 = counts):
 * mean over each sentence's counted tokens, then over the sentences that have at least one.
 * 0 when no token counts.
 */
export const sentenceThenBatchMean = (values: Tensor2D, mask: Tensor2D): Scalar =>
  tf.tidy(() => {
    const counts = tf.sum(mask, 1)
    // masked positions may hold anything finite; multiplying keeps them out of the sums
    const perSentence = tf.div(tf.sum(tf.mul(values, mask), 1), tf.maximum(counts, 1))
    const hasTokens = tf.cast(tf.greater(counts, 0), "float32")
    return tf.div(tf.sum(tf.mul(perSentence, hasTokens)), tf.maximum(tf.sum(hasTokens), 1)) as Scalar
  })
