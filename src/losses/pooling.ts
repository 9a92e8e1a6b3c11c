import { IGNORE_INDEX } from "../data/labels.js"
import { type Tensor1D, type Tensor2D, type Tensor3D, tf } from "../runtime/tf.js"
import { LossInputError } from "./errors.js"

/**
 * TCL's sentence vectors (eq. 6): `hidden` `[B, T, d]` averaged over each row's real positions,
 * `mask` `[B, T]` (1 = real token, any dtype). A row with no real position gives a zero vector,
 * which the losses' epsilon-safe normalisation turns into cosine 0 rather than NaN.
 */
export const meanPool = (hidden: Tensor3D, mask: Tensor2D): Tensor2D => {
  if (
    hidden.rank !== 3 ||
    mask.rank !== 2 ||
    hidden.shape[0] !== mask.shape[0] ||
    hidden.shape[1] !== mask.shape[1]
  )
    throw new LossInputError({
      loss: "meanPool",
      reason: `expected hidden [B, T, d] and mask [B, T], got [${hidden.shape}] and [${mask.shape}]`
    })
  return tf.tidy(() => {
    const m = tf.cast(mask, "float32")
    return tf.div(
      tf.sum(tf.mul(hidden, tf.expandDims(m, 2)), 1),
      tf.maximum(tf.sum(m, 1, true), 1)
    ) as Tensor2D
  })
}

/**
 * Flat positions `b·T + t` (row-major) of the labeled tokens of `labels` `[B, T]` (label ≠ −100:
 * with first-subword labelling, the first subword of each word) and their labels, both `[M]`.
 * Reads `labels` once; they come from the batcher and are off the gradient path.
 */
export const labelPositions = (
  labels: Tensor2D
): { readonly positions: Tensor1D; readonly labels: Tensor1D } => {
  const values = labels.dataSync()
  const positions: Array<number> = []
  const kept: Array<number> = []
  values.forEach((y, i) => {
    if (y !== IGNORE_INDEX) {
      positions.push(i)
      kept.push(y)
    }
  })
  return { positions: tf.tensor1d(positions, "int32"), labels: tf.tensor1d(kept, "int32") }
}

/** LCL's token vectors: rows of `hidden` `[B, T, d]` at flat `labelPositions` `[M]` → `[M, d]`. */
export const firstSubwordVectors = (hidden: Tensor3D, labelPositions: Tensor1D): Tensor2D => {
  if (hidden.rank !== 3 || labelPositions.rank !== 1)
    throw new LossInputError({
      loss: "firstSubwordVectors",
      reason: `expected hidden [B, T, d] and labelPositions [M], got [${hidden.shape}] and [${labelPositions.shape}]`
    })
  const [b, t, d] = hidden.shape
  return tf.tidy(
    () => tf.gather(tf.reshape(hidden, [b * t, d]), tf.cast(labelPositions, "int32")) as Tensor2D
  )
}
