/** HF `BertEmbeddings`: LayerNorm(word + token type + absolute position embeddings), then dropout. */
import { type Tensor, type Tensor2D, type Tensor3D, tf } from "../runtime/tf.js"
import type { BertConfig } from "./config.js"
import { type ForwardMode, dropout, layerNorm } from "./ops.js"
import { type BertParams, ENCODER_PREFIX, param } from "./params.js"

export const EMBEDDINGS = `${ENCODER_PREFIX}embeddings`

/**
 * `inputIds` and `tokenTypeIds` are int32 `(B, T)`; positions are `0..T-1` (HF's default
 * `position_ids`). Returns `(B, T, H)`.
 */
export const embeddings = (
  params: BertParams,
  config: BertConfig,
  inputIds: Tensor2D,
  tokenTypeIds: Tensor2D,
  mode: ForwardMode
): Tensor3D => {
  const length = inputIds.shape[1]
  if (length > config.maxPositionEmbeddings)
    throw new Error(
      `sequence length ${length} exceeds max_position_embeddings ${config.maxPositionEmbeddings}`
    )
  const words = tf.gather(param(params, `${EMBEDDINGS}.word_embeddings.weight`), inputIds) // (B, T, H)
  const types = tf.gather(param(params, `${EMBEDDINGS}.token_type_embeddings.weight`), tokenTypeIds) // (B, T, H)
  const positions = tf.slice(param(params, `${EMBEDDINGS}.position_embeddings.weight`), [0, 0], [length, -1]) // (T, H)
  const summed: Tensor = tf.add(tf.add(words, types), positions)
  const normed = layerNorm(params, `${EMBEDDINGS}.LayerNorm`, summed, config.layerNormEps)
  return dropout(normed, config.hiddenDropoutProb, mode, `${EMBEDDINGS}.dropout`) as Tensor3D
}
