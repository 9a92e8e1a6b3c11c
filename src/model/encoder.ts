/**
 * HF `BertModel.forward` (and `XLMRobertaModel.forward`: the same but for the embeddings) without the pooler (as `BertForTokenClassification` builds it): embeddings,
 * the additive padding mask built once, then every `BertLayer`. Pure: call it inside `tf.tidy`.
 */
import { type Tensor2D, type Tensor3D, tf } from "../runtime/tf.js"
import { additiveMask } from "./attention.js"
import { checkpointedLayer } from "./checkpointedLayer.js"
import type { BertConfig } from "./config.js"
import { embeddings } from "./embeddings.js"
import { bertLayer } from "./layer.js"
import type { ForwardMode } from "./ops.js"
import type { BertParams } from "./params.js"

/** A padded batch: int32 `(B, T)` ids, 1/0 attention mask (1 = real token), token types (default 0). */
export interface BertInputs {
  readonly inputIds: Tensor2D
  readonly attentionMask: Tensor2D
  readonly tokenTypeIds?: Tensor2D
  /**
   * Row indices into the word-embedding parameter when it holds only this batch's rows (sparse
   * training, `sparseWordEmbeddings`): `(B, T)`, in place of `inputIds` for the lookup alone.
   */
  readonly wordRows?: Tensor2D
}

/**
 * Whether training recomputes each layer's activations in the backward pass (`checkpointedLayer`):
 * on for RoBERTa/XLM-R, whose base size does not otherwise train within the wasm heap; off for BERT.
 */
export const checkpointsActivations = (config: BertConfig): boolean => config.isRoberta

/** The last hidden states `(B, T, H)`. */
export const bertEncoder = (
  params: BertParams,
  config: BertConfig,
  inputs: BertInputs,
  mode: ForwardMode
): Tensor3D => {
  const tokenTypeIds = inputs.tokenTypeIds ?? tf.zerosLike(inputs.inputIds)
  const mask = additiveMask(inputs.attentionMask) // (B, 1, 1, T), shared by all layers
  let hidden = embeddings(params, config, inputs.inputIds, tokenTypeIds, mode, inputs.wordRows)
  const layer = mode.training && checkpointsActivations(config) ? checkpointedLayer : bertLayer
  for (let i = 0; i < config.numHiddenLayers; i++)
    hidden = layer(params, config, `${config.encoderPrefix}encoder.layer.${i}`, hidden, mask, mode)
  return hidden
}
