/** Plain copies of a model's weights (for the best checkpoint, state files and restoring). */
import type { BertParams } from "../model/params.js"
import { tf } from "../runtime/tf.js"

/** Weight values by checkpoint name, detached from any tensor. */
export type Weights = Readonly<Record<string, Float32Array>>

export const snapshotWeights = (params: BertParams): Weights =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, (v.dataSync() as Float32Array).slice()]))

/** Writes `weights` into `params` (same names and sizes; anything else is a bug). */
export const restoreWeights = (params: BertParams, weights: Weights): void => {
  for (const [k, v] of Object.entries(params)) {
    const w = weights[k]
    if (w === undefined || w.length !== v.size)
      throw new Error(`restoreWeights: no weights of size ${v.size} for ${k}`)
    tf.tidy(() => v.assign(tf.tensor(w, v.shape, "float32")))
  }
}
