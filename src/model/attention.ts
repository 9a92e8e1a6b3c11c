/**
 * HF `BertAttention` = `BertSelfAttention` (multi-head scaled dot product with the additive padding
 * mask) + `BertSelfOutput` (dense, dropout, residual, LayerNorm).
 */
import { type Tensor, type Tensor3D, tf } from "../runtime/tf.js"
import type { BertConfig } from "./config.js"
import { type ForwardMode, dropout, layerNorm, linear } from "./ops.js"
import type { BertParams } from "./params.js"

/**
 * HF fills masked scores with `torch.finfo(float32).min`; adding it to a finite score stays finite in
 * float32 and `exp` of it underflows to exactly 0, so masked keys get probability 0 and an all-padding
 * row becomes uniform, as in PyTorch.
 */
export const MASK_VALUE = -3.4028234663852886e38

/** The additive mask `(1 - mask) * MASK_VALUE`, `(B, 1, 1, T)`, built once per forward pass. */
export const additiveMask = (attentionMask: Tensor): tf.Tensor4D => {
  const [batch, length] = attentionMask.shape as [number, number]
  return tf.reshape(tf.mul(tf.sub(1, tf.cast(attentionMask, "float32")), MASK_VALUE), [batch, 1, 1, length])
}

/** `(B, T, H)` → `(B, nh, T, hs)`: HF's `transpose_for_scores`. */
const splitHeads = (x: Tensor, config: BertConfig): tf.Tensor4D => {
  const [batch, length] = x.shape as [number, number, number]
  return tf.transpose(tf.reshape(x, [batch, length, config.numAttentionHeads, config.headSize]), [0, 2, 1, 3])
}

/** `BertSelfAttention` of layer `name` (`…layer.i.attention.self`); returns the context `(B, T, H)`. */
export const selfAttention = (
  params: BertParams,
  config: BertConfig,
  name: string,
  hidden: Tensor3D,
  mask: tf.Tensor4D,
  mode: ForwardMode
): Tensor3D => {
  const [batch, length, size] = hidden.shape
  const query = splitHeads(linear(params, `${name}.query`, hidden, mode), config) // (B, nh, T, hs)
  const key = splitHeads(linear(params, `${name}.key`, hidden, mode), config) // (B, nh, T, hs)
  const value = splitHeads(linear(params, `${name}.value`, hidden, mode), config) // (B, nh, T, hs)
  const scores = tf.add(tf.div(tf.matMul(query, key, false, true), Math.sqrt(config.headSize)), mask) // (B, nh, T, T)
  const probs = dropout(tf.softmax(scores), config.attentionProbsDropoutProb, mode, `${name}.dropout`)
  const context = tf.matMul(probs, value) // (B, nh, T, hs)
  return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, length, size]) // (B, T, H)
}

/** `BertSelfOutput` / `BertOutput`: `LayerNorm(dropout(dense(x)) + residual)` under `name`. */
export const residualOutput = (
  params: BertParams,
  config: BertConfig,
  name: string,
  x: Tensor,
  residual: Tensor3D,
  mode: ForwardMode
): Tensor3D => {
  const projected = dropout(
    linear(params, `${name}.dense`, x, mode),
    config.hiddenDropoutProb,
    mode,
    `${name}.dropout`
  )
  return layerNorm(params, `${name}.LayerNorm`, tf.add(projected, residual), config.layerNormEps) as Tensor3D
}

/** `BertAttention` under `name` (`…layer.i.attention`). */
export const attention = (
  params: BertParams,
  config: BertConfig,
  name: string,
  hidden: Tensor3D,
  mask: tf.Tensor4D,
  mode: ForwardMode
): Tensor3D =>
  residualOutput(
    params,
    config,
    `${name}.output`,
    selfAttention(params, config, `${name}.self`, hidden, mask, mode),
    hidden,
    mode
  )
