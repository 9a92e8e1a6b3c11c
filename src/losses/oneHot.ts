import { type Tensor, tf } from "../runtime/tf.js"

/** float32 one-hot rows of int `indices` over `classes` ≥ 1: with one class every row is [1] (tfjs's oneHot refuses depth 1). */
export const oneHotTarget = (indices: Tensor, classes: number): Tensor =>
  classes === 1 ? tf.ones([...indices.shape, 1]) : tf.cast(tf.oneHot(indices, classes), "float32")
