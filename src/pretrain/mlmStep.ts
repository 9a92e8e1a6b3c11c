/**
 * One pretraining step: masked-LM forward in training mode (dropout seeded by `seed/step`, as
 * fine-tuning's step), then the shared update (`applyGradients`: NaN guard, clipping, fused AdamW).
 * Every tensor it makes is freed before it returns; evaluation runs the same forward in eval mode.
 */
import { Either } from "effect"
import type { BertConfig } from "../model/config.js"
import { EVAL } from "../model/ops.js"
import type { BertParams } from "../model/params.js"
import { tf } from "../runtime/tf.js"
import type { NonFiniteGradient, NonFiniteLoss } from "../train/errors.js"
import { type Trainee, applyGradients } from "../train/step.js"
import type { MlmBatch } from "./examples.js"
import { type MlmInputs, maskedLm } from "./mlmHead.js"

export interface PretrainStepResult {
  readonly step: number
  readonly loss: number
  /** Share of predicted positions whose top token is the original. */
  readonly accuracy: number
  readonly predicted: number
  readonly gradNorm: number
  readonly lr: number
  /** Real (non-padding) subwords in the batch. */
  readonly tokens: number
}

const batchInputs = (batch: MlmBatch): MlmInputs => ({
  inputIds: tf.tensor2d(batch.inputIds, [batch.rows, batch.length], "int32"),
  attentionMask: tf.tensor2d(batch.attentionMask, [batch.rows, batch.length], "int32"),
  tokenTypeIds: tf.tensor2d(batch.tokenTypeIds, [batch.rows, batch.length], "int32"),
  positions: tf.tensor1d(batch.positions, "int32"),
  labels: tf.tensor1d(batch.labels, "int32")
})

const sumOf = (a: ArrayLike<number>): number => {
  let n = 0
  for (let i = 0; i < a.length; i++) n += a[i]!
  return n
}

export const pretrainStep = (
  trainee: Trainee,
  settings: { readonly run: string; readonly seed: number; readonly maxGradNorm?: number },
  batch: MlmBatch,
  step: number,
  lr: number
): Either.Either<PretrainStepResult, NonFiniteLoss | NonFiniteGradient> => {
  const { params, config } = trainee
  let hits: tf.Tensor | undefined
  const { value, grads } = tf.variableGrads(() => {
    const out = maskedLm(params, config, batchInputs(batch), {
      training: true,
      seed: `${settings.seed}/${step}`
    })
    hits = tf.keep(out.hits)
    return out.loss
  }, Object.values(params))
  try {
    const correct = sumOf(hits!.dataSync())
    return Either.map(
      applyGradients(
        trainee,
        { run: settings.run, step, batch: step },
        value,
        grads,
        lr,
        settings.maxGradNorm
      ),
      (applied) => ({
        step,
        loss: applied.loss,
        accuracy: correct / batch.labels.length,
        predicted: batch.labels.length,
        gradNorm: applied.gradNorm,
        lr,
        tokens: sumOf(batch.attentionMask)
      })
    )
  } finally {
    tf.dispose([value, ...Object.values(grads), ...(hits ? [hits] : [])])
  }
}

/** Summed loss (over positions), hits and predicted positions of fixed batches, in eval mode. */
export const evaluateMlm = (
  params: BertParams,
  config: BertConfig,
  batches: ReadonlyArray<MlmBatch>
): { readonly loss: number; readonly accuracy: number; readonly predicted: number } => {
  let lossSum = 0
  let correct = 0
  let predicted = 0
  for (const batch of batches) {
    const [loss, hitCount] = tf.tidy(() => {
      const out = maskedLm(params, config, batchInputs(batch), EVAL)
      return [out.loss.dataSync()[0]!, sumOf(out.hits.dataSync())]
    })
    lossSum += loss * batch.labels.length
    correct += hitCount
    predicted += batch.labels.length
  }
  return { loss: lossSum / Math.max(1, predicted), accuracy: correct / Math.max(1, predicted), predicted }
}
