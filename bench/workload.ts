/**
 * The benchmark workload: the ConCNER teacher step (`trainStep` with `paperObjectives["concner-no-kd"]`:
 * CE on 32 source + 32 translation rows, LCL over the labeled first subwords, TCL over mean-pooled
 * rows, AdamW, clipping at 1.0) on a random batch, and the same model's forward pass for evaluation.
 * `bench/reference/concner_step.py` mirrors it in PyTorch; keep the two in step (batch layout,
 * labeled positions, dropout, clipping).
 */
import { Effect, Either } from "effect"
import { IGNORE_INDEX } from "../src/data/labels.js"
import { entityTypesOfTags } from "../src/losses/labelRelation.js"
import { paperObjectives } from "../src/losses/objective.js"
import { tokenClassifier } from "../src/model/classifier.js"
import { type BertConfig, decodeBertConfig } from "../src/model/config.js"
import { EVAL } from "../src/model/ops.js"
import { type BertParams, initParams, scopedParams } from "../src/model/params.js"
import { tf } from "../src/runtime/tf.js"
import { makeAdamW } from "../src/train/adamw.js"
import type { Batch } from "../src/train/batches.js"
import { type StepSettings, trainStep } from "../src/train/step.js"

/** Encoder sizes of the issue: `tiny` and `small` (BERT-style, FFN = 4 × hidden). */
export const benchSizes = {
  tiny: { num_hidden_layers: 2, hidden_size: 128, num_attention_heads: 2, intermediate_size: 512 },
  small: { num_hidden_layers: 4, hidden_size: 256, num_attention_heads: 4, intermediate_size: 1024 }
} as const
export type BenchSize = keyof typeof benchSizes

/** CoNLL tags (BIO, 4 types): 9 labels. */
export const benchTags = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]

/** Rows per side: 32 source sentences + their 32 translations. */
export const PAIRS = 32

export const benchConfig = (size: BenchSize, vocab: number, seq: number): BertConfig =>
  Either.getOrThrow(
    decodeBertConfig(
      {
        model_type: "bert",
        vocab_size: vocab,
        ...benchSizes[size],
        hidden_act: "gelu",
        hidden_dropout_prob: 0.1,
        attention_probs_dropout_prob: 0.1,
        max_position_embeddings: Math.max(512, seq),
        type_vocab_size: 2,
        pad_token_id: 0
      },
      `<bench ${size}>`
    )
  )

/** mulberry32: a tiny seeded PRNG, enough for benchmark ids (not part of any result). */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/**
 * Whether position `t` of a `seq`-long row carries a label: not [CLS]/[SEP] and not every third
 * subword (a continuation) — about 2/3 of the tokens, M ≈ 2,650 at seq 64 (the paper-sized LCL).
 * The PyTorch mirror uses the same rule.
 */
export const isLabeled = (t: number, seq: number): boolean => t > 0 && t < seq - 1 && t % 3 !== 2

/** A full (unpadded) paired batch of random ids; labels cycle through the tags. */
export const benchBatch = (vocab: number, seq: number, seed: number): Batch => {
  const rows = 2 * PAIRS
  const random = prng(seed)
  const inputIds = new Int32Array(rows * seq)
  const labels = new Int32Array(rows * seq)
  for (let r = 0; r < rows; r++)
    for (let t = 0; t < seq; t++) {
      const i = r * seq + t
      inputIds[i] = 1 + Math.floor(random() * (vocab - 1))
      labels[i] = isLabeled(t, seq) ? i % benchTags.length : IGNORE_INDEX
    }
  return {
    epoch: 0,
    batch: 0,
    indices: Array.from({ length: PAIRS }, (_, i) => i),
    rows,
    length: seq,
    inputIds,
    attentionMask: new Int32Array(rows * seq).fill(1),
    labels,
    source: [0, PAIRS],
    translation: [PAIRS, rows]
  }
}

export const benchSettings: StepSettings = {
  run: "bench",
  seed: 1,
  objective: paperObjectives["concner-no-kd"],
  stage: "teacher",
  maxGradNorm: 1,
  tagTypes: entityTypesOfTags(benchTags)
}

/** Parameters, optimizer and batch of one benchmark, owned by the scope. */
export const benchModel = (size: BenchSize, vocab: number, seq: number) =>
  Effect.gen(function* () {
    const config = benchConfig(size, vocab, seq)
    const params = yield* scopedParams(() => initParams(config, benchTags.length, 42))
    const optimizer = yield* makeAdamW(params)
    return { config, params, optimizer, batch: benchBatch(vocab, seq, 7) }
  })

export type BenchModel = Effect.Effect.Success<ReturnType<typeof benchModel>>

/** One training step; a non-finite loss or gradient is a defect here (random data, fresh model). */
export const runTrainStep = (model: BenchModel, step: number): number => {
  const result = trainStep(model, benchSettings, model.batch, step, 5e-5)
  if (Either.isLeft(result)) throw new Error(`bench step ${step}: ${result.left.message}`)
  return result.right.loss
}

/** One forward pass in eval mode, logits read back (what prediction does). */
export const runEvalStep = (params: BertParams, config: BertConfig, batch: Batch): void => {
  const logits = tf.tidy(() => {
    const inputs = {
      inputIds: tf.tensor2d(batch.inputIds, [batch.rows, batch.length], "int32"),
      attentionMask: tf.tensor2d(batch.attentionMask, [batch.rows, batch.length], "int32")
    }
    return tokenClassifier(params, config, inputs, EVAL).logits
  })
  logits.dataSync()
  logits.dispose()
}
