/** HF `BertForTokenClassification`: the encoder (no pooler), dropout, then a Linear to the labels. */
import type { Tensor3D } from "../runtime/tf.js"
import type { BertConfig } from "./config.js"
import { type BertInputs, bertEncoder } from "./encoder.js"
import { type ForwardMode, dropout, linear } from "./ops.js"
import type { BertParams } from "./params.js"

export interface TokenClassifierOutput {
  /** Last hidden states `(B, T, H)` (the contrastive losses read these). */
  readonly hidden: Tensor3D
  /** Per-token label scores `(B, T, numLabels)`. */
  readonly logits: Tensor3D
}

export const tokenClassifier = (
  params: BertParams,
  config: BertConfig,
  inputs: BertInputs,
  mode: ForwardMode
): TokenClassifierOutput => {
  const hidden = bertEncoder(params, config, inputs, mode)
  const dropped = dropout(hidden, config.classifierDropoutProb, mode, "classifier.dropout")
  return { hidden, logits: linear(params, "classifier", dropped, mode) as Tensor3D }
}
