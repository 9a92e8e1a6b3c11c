/**
 * HF `BertForMaskedLM`'s head (`BertOnlyMLMHead` → `BertLMPredictionHead`): dense, the config's
 * activation, LayerNorm, then a decoder tied to the word embeddings plus `cls.predictions.bias`. It
 * runs on the predicted positions only (gathered first), so the `(positions, vocab)` logits stay
 * small. Pure: call inside `tf.tidy` / `tf.variableGrads`.
 */
import type { BertConfig } from "../model/config.js"
import { type BertInputs, bertEncoder } from "../model/encoder.js"
import { type ForwardMode, activation, layerNorm, linear } from "../model/ops.js"
import { type BertParams, MLM_PREFIX, param, wordEmbeddingsKey } from "../model/params.js"
import { type Scalar, type Tensor1D, type Tensor2D, type Tensor3D, tf } from "../runtime/tf.js"

/** Vocabulary scores `(M, V)` at the flat positions `row·T + t` of `hidden` `(B, T, H)`. */
export const mlmLogits = (
  params: BertParams,
  config: BertConfig,
  hidden: Tensor3D,
  positions: Tensor1D
): Tensor2D => {
  const flat = tf.reshape(hidden, [-1, config.hiddenSize]) // (B·T, H)
  const picked = tf.gather(flat, positions) // (M, H)
  const dense = activation(config.hiddenAct, linear(params, `${MLM_PREFIX}.transform.dense`, picked))
  const h = layerNorm(params, `${MLM_PREFIX}.transform.LayerNorm`, dense, config.layerNormEps) // (M, H)
  const decoded = tf.matMul(h, param(params, wordEmbeddingsKey(config)), false, true) // (M, V)
  return tf.add(decoded, param(params, `${MLM_PREFIX}.bias`)) as Tensor2D
}

/**
 * Mean cross-entropy over the predicted positions (HF's `CrossEntropyLoss` over non-−100 labels).
 * The label's log-probability is gathered from the flat `(M·V)` scores rather than summed against
 * a one-hot: same numbers, but the sum's gradient would build an `(M, V)` ones array in JS memory
 * every step (70 MB at M = 585, V = 30k), whose churn made V8 mark the whole corpus heap again and
 * again — the pretraining step took 4–5 s instead of 2.4 s.
 */
export const mlmLoss = (logits: Tensor2D, labels: Tensor1D): Scalar => {
  const [rows, vocab] = logits.shape
  const flat = tf.reshape(tf.logSoftmax(logits, -1), [-1]) // (M·V)
  const at = tf.add(tf.mul(tf.range(0, rows, 1, "int32"), tf.scalar(vocab, "int32")), labels) // row·V + label
  return tf.neg(tf.mean(tf.gather(flat, at))) as Scalar
}

/** Per predicted position: 1 where the highest-scoring token is the original one. */
export const mlmHits = (logits: Tensor2D, labels: Tensor1D): Tensor1D =>
  tf.cast(tf.equal(tf.argMax(logits, -1), labels), "int32") as Tensor1D

export interface MlmInputs extends BertInputs {
  readonly positions: Tensor1D
  readonly labels: Tensor1D
}

/** The encoder and head on a batch: loss and per-position hits. */
export const maskedLm = (
  params: BertParams,
  config: BertConfig,
  inputs: MlmInputs,
  mode: ForwardMode
): { readonly loss: Scalar; readonly hits: Tensor1D } => {
  const hidden = bertEncoder(params, config, inputs, mode)
  const logits = mlmLogits(params, config, hidden, inputs.positions)
  return { loss: mlmLoss(logits, inputs.labels), hits: mlmHits(logits, inputs.labels) }
}
