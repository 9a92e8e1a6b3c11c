/**
 * HF `BertEmbeddings` / `RobertaEmbeddings`: LayerNorm(word + token type + absolute position
 * embeddings), then dropout. RoBERTa's positions count the non-padding tokens from `pad_token_id + 1`
 * and give padding `pad_token_id` (HF `create_position_ids_from_input_ids`).
 */
import { type Tensor, type Tensor2D, type Tensor3D, tf } from "../runtime/tf.js"
import type { BertConfig } from "./config.js"
import { type ForwardMode, dropout, layerNorm } from "./ops.js"
import { type BertParams, param } from "./params.js"

/** RoBERTa's position ids of int32 `(B, T)` input ids: `cumsum(ids ≠ pad) · (ids ≠ pad) + pad`. */
export const robertaPositionIds = (inputIds: Tensor2D, padTokenId: number): Tensor2D => {
  const real = tf.cast(tf.notEqual(inputIds, padTokenId), "int32") // (B, T)
  return tf.add(tf.mul(tf.cumsum(real, 1), real), tf.scalar(padTokenId, "int32")) as Tensor2D
}

/**
 * `inputIds` and `tokenTypeIds` are int32 `(B, T)`; BERT's positions are `0..T-1` (HF's default
 * `position_ids`), RoBERTa's `robertaPositionIds`. `wordRows` indexes the word-embedding parameter
 * when it is not the whole matrix (sparse training); by default the ids do. Returns `(B, T, H)`.
 */
export const embeddings = (
  params: BertParams,
  config: BertConfig,
  inputIds: Tensor2D,
  tokenTypeIds: Tensor2D,
  mode: ForwardMode,
  wordRows: Tensor2D = inputIds
): Tensor3D => {
  const length = inputIds.shape[1]
  if (length > config.maxSequenceLength)
    throw new Error(
      `sequence length ${length} exceeds the model's ${config.maxSequenceLength} positions (max_position_embeddings ${config.maxPositionEmbeddings})`
    )
  const prefix = `${config.encoderPrefix}embeddings`
  const words = tf.gather(param(params, `${prefix}.word_embeddings.weight`), wordRows) // (B, T, H)
  const types = tf.gather(param(params, `${prefix}.token_type_embeddings.weight`), tokenTypeIds) // (B, T, H)
  const table = param(params, `${prefix}.position_embeddings.weight`)
  const positions = config.isRoberta
    ? tf.gather(table, robertaPositionIds(inputIds, config.padTokenId)) // (B, T, H)
    : tf.slice(table, [0, 0], [length, -1]) // (T, H)
  const summed: Tensor = tf.add(tf.add(words, types), positions)
  const normed = layerNorm(params, `${prefix}.LayerNorm`, summed, config.layerNormEps)
  return dropout(normed, config.hiddenDropoutProb, mode, `${prefix}.dropout`) as Tensor3D
}
