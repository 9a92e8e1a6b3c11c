/**
 * BERT parameters as plain data: one tfjs `Variable` per tensor, keyed by its name in a HuggingFace
 * `BertForTokenClassification` state dict (`bert.encoder.layer.0.attention.self.query.weight`,
 * `classifier.bias`), or `XLMRobertaForTokenClassification`'s (`roberta.…`). Linear weights keep torch's `[out, in]` layout so checkpoints load untouched.
 */
import { Effect } from "effect"
import { type Variable, tf } from "../runtime/tf.js"
import type { BertConfig } from "./config.js"

export type BertParams = Readonly<Record<string, Variable>>

/** The word-embedding matrix's key (`bert.embeddings.word_embeddings.weight`, or `roberta.…`). */
export const wordEmbeddingsKey = (config: BertConfig): string =>
  `${config.encoderPrefix}embeddings.word_embeddings.weight`

/** The parameter named `key`; a missing key is a bug in the caller (checkpoints are checked on load). */
export const param = (params: BertParams, key: string): Variable => {
  const value = params[key]
  if (value === undefined) throw new Error(`BERT parameter ${key} is missing`)
  return value
}

const linear = (shapes: Record<string, ReadonlyArray<number>>, name: string, out: number, inp: number) => {
  shapes[`${name}.weight`] = [out, inp]
  shapes[`${name}.bias`] = [out]
}

const layerNorm = (shapes: Record<string, ReadonlyArray<number>>, name: string, size: number) => {
  shapes[`${name}.weight`] = [size]
  shapes[`${name}.bias`] = [size]
}

/**
 * The shape of every tensor of a `BertForTokenClassification` (no pooler, as HF builds it for token
 * classification) with `numLabels` classes, or of the encoder alone when `numLabels` is undefined.
 */
export const expectedShapes = (
  config: BertConfig,
  numLabels?: number
): Readonly<Record<string, ReadonlyArray<number>>> => {
  const h = config.hiddenSize
  const shapes: Record<string, ReadonlyArray<number>> = {}
  const emb = `${config.encoderPrefix}embeddings`
  shapes[`${emb}.word_embeddings.weight`] = [config.vocabSize, h]
  shapes[`${emb}.position_embeddings.weight`] = [config.maxPositionEmbeddings, h]
  shapes[`${emb}.token_type_embeddings.weight`] = [config.typeVocabSize, h]
  layerNorm(shapes, `${emb}.LayerNorm`, h)
  for (let i = 0; i < config.numHiddenLayers; i++) {
    const layer = `${config.encoderPrefix}encoder.layer.${i}`
    linear(shapes, `${layer}.attention.self.query`, h, h)
    linear(shapes, `${layer}.attention.self.key`, h, h)
    linear(shapes, `${layer}.attention.self.value`, h, h)
    linear(shapes, `${layer}.attention.output.dense`, h, h)
    layerNorm(shapes, `${layer}.attention.output.LayerNorm`, h)
    linear(shapes, `${layer}.intermediate.dense`, config.intermediateSize, h)
    linear(shapes, `${layer}.output.dense`, h, config.intermediateSize)
    layerNorm(shapes, `${layer}.output.LayerNorm`, h)
  }
  if (numLabels !== undefined) linear(shapes, "classifier", numLabels, h)
  return shapes
}

/** Prefix of HF `BertForMaskedLM`'s MLM head (`BertLMPredictionHead`). */
export const MLM_PREFIX = "cls.predictions"

/**
 * The shapes of the MLM head as HF saves it: the transform (dense + LayerNorm) and the output bias.
 * The decoder weight is tied to the word embeddings, so (like HF's safetensors) it is not stored.
 */
export const mlmHeadShapes = (config: BertConfig): Readonly<Record<string, ReadonlyArray<number>>> => {
  const h = config.hiddenSize
  const shapes: Record<string, ReadonlyArray<number>> = {}
  linear(shapes, `${MLM_PREFIX}.transform.dense`, h, h)
  layerNorm(shapes, `${MLM_PREFIX}.transform.LayerNorm`, h)
  shapes[`${MLM_PREFIX}.bias`] = [config.vocabSize]
  return shapes
}

/** A 32-bit seed per tensor (FNV-1a of `seed/key`), so adding a tensor does not reseed the others. */
const tensorSeed = (seed: number, key: string): number => {
  let hash = 0x811c9dc5
  for (const ch of `${seed}/${key}`) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0
  return hash
}

/**
 * Fresh parameters as HF's `_init_weights` makes them: weights and embeddings N(0, initializer_range),
 * biases 0, LayerNorm weight 1 and bias 0, and the padding token's embedding row 0 (RoBERTa: the
 * padding row of the position embeddings too, HF's `padding_idx`). Seeded per tensor.
 * The caller owns the variables (`disposeParams`, or `scopedParams`).
 */
export const initParams = (config: BertConfig, numLabels: number | undefined, seed: number): BertParams =>
  initShapes(config, expectedShapes(config, numLabels), seed)

/** `initParams` for any tensors named like BERT's (e.g. `mlmHeadShapes`): the same rules and seeds. */
export const initShapes = (
  config: BertConfig,
  shapes: Readonly<Record<string, ReadonlyArray<number>>>,
  seed: number
): BertParams => {
  const padded = new Set([wordEmbeddingsKey(config)])
  if (config.isRoberta) padded.add(`${config.encoderPrefix}embeddings.position_embeddings.weight`)
  const init = (key: string, shape: ReadonlyArray<number>): tf.Tensor => {
    if (key.endsWith("LayerNorm.weight")) return tf.ones([...shape])
    if (key.endsWith(".bias")) return tf.zeros([...shape])
    const normal = tf.randomNormal([...shape], 0, config.initializerRange, "float32", tensorSeed(seed, key))
    if (!padded.has(key)) return normal
    const rows = shape[0]!
    const notPad = tf.oneHot(tf.tensor1d([config.padTokenId], "int32"), rows, 0, 1)
    return tf.mul(normal, tf.cast(tf.reshape(notPad, [rows, 1]), "float32"))
  }
  return Object.fromEntries(
    Object.entries(shapes).map(([key, shape]) => [key, tf.tidy(() => tf.variable(init(key, shape)))])
  )
}

export const disposeParams = (params: BertParams): void => tf.dispose(Object.values(params))

/** Acquires parameters made by `make` for the enclosing scope; they are disposed when it closes. */
export const scopedParams = (make: () => BertParams) =>
  Effect.acquireRelease(Effect.sync(make), (params) => Effect.sync(() => disposeParams(params)))

/** Number of scalars in `params` (for reports). */
export const countParams = (params: BertParams): number =>
  Object.values(params).reduce((n, v) => n + v.size, 0)
