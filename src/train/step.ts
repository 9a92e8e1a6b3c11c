/**
 * One optimisation step on one batch, all of its tensor work synchronous: forward (training
 * mode, dropout seeded by `${seed}/${step}`), the objective's weighted terms, gradients, the
 * finiteness checks, clipping and the fused AdamW update. Every tensor the step makes is freed
 * before it returns (`tf.memory().numTensors` is unchanged after a step); a NaN/Inf loss or
 * gradient returns a typed error before any weight is touched.
 */
import { Either } from "effect"
import { IGNORE_INDEX } from "../data/labels.js"
import type { LossTermsShape } from "../losses/LossTerms.js"
import type { TermBatch } from "../losses/lossTerm.js"
import type { Objective, ObjectiveInputs, ObjectiveStage as Stage } from "../losses/objective.js"
import { evaluateObjective } from "../losses/objective.js"
import { firstSubwordVectors, labelPositions, meanPool } from "../losses/pooling.js"
import { tokenClassifier } from "../model/classifier.js"
import type { BertConfig } from "../model/config.js"
import { EVAL, type ForwardMode } from "../model/ops.js"
import { type BertParams, param, wordEmbeddingsKey } from "../model/params.js"
import { type Scalar, type Tensor2D, type Tensor3D, tf } from "../runtime/tf.js"
import type { AdamW } from "./adamw.js"
import type { Batch } from "./batches.js"
import { clipScale, globalGradNorm, gradBuffers, nonFiniteGradients } from "./clip.js"
import { NonFiniteGradient, NonFiniteLoss } from "./errors.js"

/** A model whose parameters are trained: weights, architecture and its optimizer. */
export interface Trainee {
  readonly params: BertParams
  readonly config: BertConfig
  readonly optimizer: AdamW
}

export interface StepSettings {
  readonly run: string
  readonly seed: number
  readonly objective: Objective
  readonly stage: Stage
  /** Gradient-norm clipping threshold; `undefined` = no clipping. */
  readonly maxGradNorm?: number
  /** Per tag id: entity-type index (relation-aware LCL). */
  readonly tagTypes: ReadonlyArray<number>
  /** Train the word embeddings sparsely (`sparseRows`); undefined: `sparseWordEmbeddings(config)`. */
  readonly sparseEmbeddings?: boolean
}

export interface StepResult {
  readonly step: number
  readonly epoch: number
  readonly batch: number
  readonly loss: number
  /** Each weighted term's value, by name (built-in or custom). */
  readonly terms: Readonly<Record<string, number>>
  readonly gradNorm: number
  readonly lr: number
  /** Real (non-padding) subwords in the batch. */
  readonly tokens: number
}

/** Where a step ran, for its errors. */
export interface StepWhere {
  readonly run: string
  readonly step: number
  readonly batch: number
}

/**
 * Whether a model's word embeddings train sparsely: only the rows of a batch's ids get a gradient
 * and an update (lazy AdamW, see `AdamW.update`), so no step builds a gradient or touches moments over
 * the whole vocabulary. On for RoBERTa/XLM-R, whose 250,002-row matrix is 192M of XLM-R-base's 278M
 * parameters (a dense gradient alone is 768 MB per step); off for BERT, whose runs keep HF's dense
 * AdamW (and their recorded numbers).
 */
export const sparseWordEmbeddings = (config: BertConfig): boolean => config.isRoberta

/** The word-embedding rows a batch looks up, as a variable of its own, and the ids mapped onto them. */
export interface SparseRows {
  readonly key: string
  /** the rows' ids, ascending */
  readonly rows: Int32Array
  /** `(U, H)`: the rows' current values; its gradient is the embedding's gradient on those rows */
  readonly variable: tf.Variable
  /** per token of the batch: its row in `variable` */
  readonly wordRows: Int32Array
}

/** Gathers the rows of `inputIds` from the word embeddings; the caller disposes `variable`. */
export const sparseRows = (params: BertParams, config: BertConfig, inputIds: Int32Array): SparseRows => {
  const key = wordEmbeddingsKey(config)
  const rows = Int32Array.from(new Set(inputIds)).sort()
  const index = new Map<number, number>()
  rows.forEach((id, i) => index.set(id, i))
  const wordRows = inputIds.map((id) => index.get(id)!)
  const variable = tf.tidy(() => tf.variable(tf.gather(param(params, key), tf.tensor1d(rows, "int32")), true))
  return { key, rows, variable, wordRows }
}

/**
 * The update half of a step, shared by every trainer (fine-tuning, pretraining): reads the loss and
 * the gradients (keyed by tfjs variable name, as `tf.variableGrads` gives them), refuses a NaN/Inf
 * loss or gradient before any weight is touched, clips and applies the fused AdamW update. The
 * caller still owns (and disposes) `value` and `grads`.
 */
export const applyGradients = (
  trainee: Trainee,
  where: StepWhere,
  value: Scalar,
  grads: Readonly<Record<string, tf.Tensor>>,
  lr: number,
  maxGradNorm: number | undefined,
  sparse?: SparseRows
): Either.Either<{ readonly loss: number; readonly gradNorm: number }, NonFiniteLoss | NonFiniteGradient> => {
  const { params, optimizer } = trainee
  const loss = value.dataSync()[0]!
  if (!Number.isFinite(loss)) return Either.left(new NonFiniteLoss({ ...where, value: loss }))
  const byName = new Map(Object.entries(params).map(([key, v]) => [v.name, key]))
  if (sparse !== undefined) byName.set(sparse.variable.name, sparse.key)
  const named = Object.fromEntries(Object.entries(grads).map(([name, g]) => [byName.get(name)!, g]))
  const buffers = gradBuffers(named)
  // one pass over every gradient: the float64 sum of squares is non-finite iff some entry is
  const totalNorm = globalGradNorm(buffers)
  const bad = Number.isFinite(totalNorm) ? [] : nonFiniteGradients(buffers)
  if (bad.length > 0) return Either.left(new NonFiniteGradient({ ...where, param: bad[0]!, params: bad }))
  const clip = maxGradNorm === undefined ? { totalNorm, scale: 1 } : clipScale(totalNorm, maxGradNorm)
  optimizer.update(buffers, lr, clip.scale, sparse === undefined ? {} : { [sparse.key]: sparse.rows })
  return Either.right({ loss, gradNorm: clip.totalNorm })
}

/** The batch as tensors: ids, mask and labels `(rows, length)` (and the sparse rows' indices). */
const batchTensors = (batch: Batch, wordRows?: Int32Array) => ({
  inputIds: tf.tensor2d(batch.inputIds, [batch.rows, batch.length], "int32"),
  attentionMask: tf.tensor2d(batch.attentionMask, [batch.rows, batch.length], "int32"),
  labels: tf.tensor2d(batch.labels, [batch.rows, batch.length], "int32"),
  ...(wordRows === undefined ? {} : { wordRows: tf.tensor2d(wordRows, [batch.rows, batch.length], "int32") })
})

const rowSlice = <T extends tf.Tensor>(t: T, [start, end]: readonly [number, number]): T =>
  tf.slice(t, start, end - start) as T

/** The objective's inputs for a teacher-stage batch, from one forward pass over all its rows. */
const teacherInputs = (
  hidden: Tensor3D,
  logits: Tensor3D,
  t: ReturnType<typeof batchTensors>,
  batch: Batch,
  settings: StepSettings
): ObjectiveInputs => {
  const w = settings.objective.weights
  const half = (range: readonly [number, number] | undefined) =>
    range === undefined ? undefined : { logits: rowSlice(logits, range), labels: rowSlice(t.labels, range) }
  const source = w.ceSource > 0 ? half(batch.source) : undefined
  const translation = w.ceTranslation > 0 ? half(batch.translation) : undefined
  const tokens = w.lcl > 0 ? labelPositions(t.labels) : undefined
  const custom = (settings.objective.customTerms ?? []).some((term) => term.weight > 0)
  return {
    ...(custom ? { batch: termBatch(hidden, logits, t, batch, settings) } : {}),
    ...(source ? { source } : {}),
    ...(translation ? { translation } : {}),
    ...(tokens
      ? {
          lcl: {
            vectors: firstSubwordVectors(hidden, tokens.positions),
            labels: tokens.labels,
            tagTypes: settings.tagTypes
          }
        }
      : {}),
    ...(w.tcl > 0 ? { tcl: { vectors: meanPool(hidden, t.attentionMask) } } : {})
  }
}

/** The batch as custom terms read it; LCL's and TCL's inputs are made only when a term asks. */
const termBatch = (
  hidden: Tensor3D,
  logits: Tensor3D,
  t: ReturnType<typeof batchTensors>,
  batch: Batch,
  settings: StepSettings
): TermBatch => ({
  hidden,
  logits,
  labels: t.labels,
  attentionMask: t.attentionMask,
  ...(batch.source ? { source: batch.source } : {}),
  ...(batch.translation ? { translation: batch.translation } : {}),
  tagTypes: settings.tagTypes,
  tokens: () => {
    const tokens = labelPositions(t.labels)
    return { vectors: firstSubwordVectors(hidden, tokens.positions), labels: tokens.labels }
  },
  sentences: () => meanPool(hidden, t.attentionMask)
})

/** Label distributions `(B, T, C)` of a frozen model (eval mode): the distillation targets. */
export const predictProbs = (params: BertParams, config: BertConfig, batch: Batch): Tensor3D =>
  tf.tidy(() => {
    const t = batchTensors(batch)
    return tf.softmax(tokenClassifier(params, config, t, EVAL).logits) as Tensor3D
  })

/** What a step computes its loss with, and the student stage's frozen teacher. */
export interface StepWith {
  /** The batch's loss (the `LossTerms` service's; `evaluateObjective` by default). */
  readonly evaluate?: LossTermsShape["evaluate"]
  readonly teacher?: { readonly params: BertParams; readonly config: BertConfig }
}

/**
 * One step. For the student stage `teacher` gives the frozen teacher's label distributions, and
 * the batch's labels mark the positions that count (first subwords).
 */
export const trainStep = (
  trainee: Trainee,
  settings: StepSettings,
  batch: Batch,
  step: number,
  lr: number,
  { evaluate = evaluateObjective, teacher }: StepWith = {}
): Either.Either<StepResult, NonFiniteLoss | NonFiniteGradient> => {
  const { params, config } = trainee
  const mode: ForwardMode = { training: true, seed: `${settings.seed}/${step}` }
  const where = { run: settings.run, step, batch: batch.batch }
  const teacherProbs = teacher && predictProbs(teacher.params, teacher.config, batch)
  const terms: Record<string, Scalar> = {}
  const sparse =
    (settings.sparseEmbeddings ?? sparseWordEmbeddings(config))
      ? sparseRows(params, config, batch.inputIds)
      : undefined
  const trained = sparse === undefined ? params : { ...params, [sparse.key]: sparse.variable }
  const { value, grads } = tf.variableGrads(() => {
    const t = batchTensors(batch, sparse?.wordRows)
    const out = tokenClassifier(trained, config, t, mode)
    const inputs: ObjectiveInputs =
      settings.stage === "teacher"
        ? teacherInputs(out.hidden, out.logits, t, batch, settings)
        : {
            kd: {
              studentProbs: tf.softmax(out.logits) as Tensor3D,
              teacherProbs: teacherProbs!,
              mask: tf.notEqual(t.labels, IGNORE_INDEX) as Tensor2D
            }
          }
    const result = evaluate(settings.objective, inputs, settings.stage)
    for (const [k, v] of Object.entries(result.terms)) terms[k] = tf.keep(v)
    return result.total
  }, Object.values(trained))
  try {
    const termValues = Object.fromEntries(Object.entries(terms).map(([k, v]) => [k, v.dataSync()[0]!]))
    const applied = applyGradients(trainee, where, value, grads, lr, settings.maxGradNorm, sparse)
    return Either.map(applied, (applied) => ({
      step,
      epoch: batch.epoch,
      batch: batch.batch,
      loss: applied.loss,
      terms: termValues,
      gradNorm: applied.gradNorm,
      lr,
      tokens: batch.attentionMask.reduce((n, m) => n + m, 0)
    }))
  } finally {
    tf.dispose([value, ...Object.values(grads), ...Object.values(terms)])
    if (teacherProbs) teacherProbs.dispose()
    if (sparse) sparse.variable.dispose()
  }
}
