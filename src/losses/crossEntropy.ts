import { IGNORE_INDEX } from "../data/labels.js"
import { type Scalar, type Tensor2D, type Tensor3D, tf } from "../runtime/tf.js"
import { LossInputError } from "./errors.js"
import { oneHotTarget } from "./oneHot.js"
import { sentenceThenBatchMean } from "./sentenceMean.js"

/**
 * Token cross-entropy, eq. 3. `logits` `[B, T, C]`, `labels` int32 `[B, T]` with −100 = ignored.
 * Mean over each sentence's labeled tokens, then over the sentences with at least one.
 *
 * Labels are checked (each in [0, C) or −100) by reading them once: they come from the batcher,
 * are small and off the gradient path, and a wrong id would otherwise be dropped silently.
 */
export const tokenCrossEntropy = (logits: Tensor3D, labels: Tensor2D): Scalar => {
  if (
    logits.rank !== 3 ||
    labels.rank !== 2 ||
    logits.shape[0] !== labels.shape[0] ||
    logits.shape[1] !== labels.shape[1]
  )
    throw new LossInputError({
      loss: "tokenCrossEntropy",
      reason: `expected logits [B, T, C] and labels [B, T], got [${logits.shape}] and [${labels.shape}]`
    })
  const classes = logits.shape[2]
  if (classes < 1)
    throw new LossInputError({ loss: "tokenCrossEntropy", reason: "logits have 0 classes (expected C ≥ 1)" })
  const values = labels.dataSync()
  const bad = values.findIndex((y) => y !== IGNORE_INDEX && !(Number.isInteger(y) && y >= 0 && y < classes))
  if (bad >= 0) {
    const t = labels.shape[1]
    throw new LossInputError({
      loss: "tokenCrossEntropy",
      reason: `label ${values[bad]} at [${Math.floor(bad / t)}, ${bad % t}] is neither in [0, ${classes}) nor ${IGNORE_INDEX}`
    })
  }
  return tf.tidy(() => {
    const labeled = tf.cast(tf.notEqual(labels, IGNORE_INDEX), "float32") as Tensor2D
    // one class: log-softmax is 0 everywhere, so the loss is exactly 0 with a zero gradient
    const target = oneHotTarget(tf.maximum(tf.cast(labels, "int32"), tf.scalar(0, "int32")), classes)
    const nll = tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits, -1), target), -1)) as Tensor2D
    return sentenceThenBatchMean(nll, labeled)
  })
}
