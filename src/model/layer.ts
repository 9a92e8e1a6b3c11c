/** HF `BertLayer`: attention, then the feed-forward block `BertIntermediate` + `BertOutput` (post-LN). */
import type { Tensor3D, tf } from "../runtime/tf.js"
import { attention, residualOutput } from "./attention.js"
import type { BertConfig } from "./config.js"
import { type ForwardMode, activation, linear } from "./ops.js"
import type { BertParams } from "./params.js"

/** Layer `name` (`bert.encoder.layer.i`) on `(B, T, H)` with the additive mask `(B, 1, 1, T)`. */
export const bertLayer = (
  params: BertParams,
  config: BertConfig,
  name: string,
  hidden: Tensor3D,
  mask: tf.Tensor4D,
  mode: ForwardMode
): Tensor3D => {
  const attended = attention(params, config, `${name}.attention`, hidden, mask, mode)
  const intermediate = activation(
    config.hiddenAct,
    linear(params, `${name}.intermediate.dense`, attended, mode)
  ) // (B, T, I)
  return residualOutput(params, config, `${name}.output`, intermediate, attended, mode)
}
