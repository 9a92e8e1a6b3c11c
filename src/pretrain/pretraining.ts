/**
 * A pretraining run into `out`: `out/run/metrics.jsonl` (one line per step) and
 * `out/run/state.safetensors` (weights, AdamW moments, step: written atomically every `stateEvery`
 * steps and after the last), then the HF `BertForMaskedLM` folder and `MODEL_CARD.md` in `out`.
 * Batches, masks and dropout are functions of `(seed, step)`, so `resume` continues exactly as an
 * uninterrupted run would (bit for bit on the cpu backend).
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Effect, Either, Schema } from "effect"
import { saveCheckpoint } from "../model/checkpoint.js"
import { type BertConfig, encodeBertConfig } from "../model/config.js"
import { countParams, initParams, initShapes, mlmHeadShapes, scopedParams } from "../model/params.js"
import { writeFileStringAtomic } from "../records/atomic.js"
import { canonicalHash } from "../records/canonicalJson.js"
import { METRICS_FILE, openMetricsLog } from "../records/metricsLog.js"
import { DataFileHash, commitOf, hashFile, packageRoot } from "../records/runRecord.js"
import type { BertTokenizer } from "../text/bertTokenizer.js"
import { AdamWConfig, makeAdamW } from "../train/adamw.js"
import { RunStateMeta, STATE_FILE, readRunState, writeRunState } from "../train/runState.js"
import { inverseSqrtWarmup, linearWarmupDecay } from "../train/schedule.js"
import { restoreWeights, snapshotWeights } from "../train/weights.js"
import { PretrainResumeError, PretrainVocabError } from "./errors.js"
import { drawBatch, fixedBatches, groupShares } from "./examples.js"
import type { MaskingOptions } from "./masking.js"
import { type PretrainStepResult, evaluateMlm, pretrainStep } from "./mlmStep.js"
import { type LanguageScore, lossCurve, renderModelCard } from "./modelCard.js"
import { PretrainSettings } from "./settings.js"
import type { PretrainData } from "./sources.js"

export const RUN_SUBDIR = "run"
export const MODEL_CARD_FILE = "MODEL_CARD.md"

export interface PretrainOptions {
  readonly out: string
  readonly settings: PretrainSettings
  readonly model: BertConfig
  readonly tokenizer: BertTokenizer
  readonly data: PretrainData
  /** Total optimizer steps (the schedule decays to 0 at it). */
  readonly steps: number
  readonly resume: boolean
  readonly backend: string
  /** Called after every step (progress display); a failure stops the run (the last state stays). */
  readonly onStep?: (result: PretrainStepResult, total: number) => Effect.Effect<void, unknown>
}

const Extra = Schema.Struct({ fingerprint: Schema.String, wallSeconds: Schema.Number })

const prefixed = (prefix: string, record: Readonly<Record<string, Float32Array>>) =>
  Object.fromEntries(Object.entries(record).map(([k, v]) => [`${prefix}${k}`, v]))

const unprefixed = (prefix: string, record: Readonly<Record<string, Float32Array>>) =>
  Object.fromEntries(
    Object.entries(record).flatMap(([k, v]) => (k.startsWith(prefix) ? [[k.slice(prefix.length), v]] : []))
  )

/** The masking scheme of a vocabulary: never `[CLS]`/`[SEP]`/`[PAD]`/`[UNK]`/`[MASK]`. */
export const maskingFor = (tokenizer: BertTokenizer, settings: PretrainSettings) => {
  const { vocab } = tokenizer
  const maskId = vocab.id("[MASK]")
  if (maskId === undefined)
    return Either.left(
      new PretrainVocabError({ file: vocab.source, reason: "the vocabulary has no [MASK] token" })
    )
  return Either.right<MaskingOptions>({
    probability: settings.maskProbability,
    maskId,
    vocabSize: vocab.size,
    specialIds: new Set([vocab.clsId, vocab.sepId, vocab.padId, vocab.unkId, maskId]),
    wholeWord: settings.wholeWordMasking
  })
}

/** Step lines of `metrics.jsonl` before `step` (a resumed run rewrites the rest; a torn last line is dropped). */
const keptMetrics = (text: string, step: number) =>
  text
    .split("\n")
    .filter((line) => {
      if (line === "") return false
      try {
        return (JSON.parse(line) as { step: number }).step < step
      } catch {
        return false
      }
    })
    .map((l) => `${l}\n`)
    .join("")

export const runPretraining = Effect.fn("Pretrain.run")(function* (options: PretrainOptions) {
  const fs = yield* FileSystem.FileSystem
  const { settings, model, tokenizer, data } = options
  const runDir = path.join(options.out, RUN_SUBDIR)
  const stateFile = path.join(runDir, STATE_FILE)
  const metricsFile = path.join(runDir, METRICS_FILE)
  yield* fs.makeDirectory(runDir, { recursive: true })
  const masking = yield* maskingFor(tokenizer, settings)
  const total = options.steps
  // everything that changes a step's numbers: resuming under other settings would not continue the run
  // (the step count too, unless the schedule ignores it: then a run may be extended)
  const fingerprint = canonicalHash({
    settings: {
      ...Schema.encodeSync(PretrainSettings)(settings),
      steps: settings.schedule === "linear" ? total : undefined
    },
    model: encodeBertConfig(model),
    vocab: tokenizer.vocab.tokens
  })
  const params = yield* scopedParams(() => ({
    ...initParams(model, undefined, settings.seed),
    ...initShapes(model, mlmHeadShapes(model), settings.seed)
  }))
  const optimizer = yield* makeAdamW(params, AdamWConfig.make({ weightDecay: settings.weightDecay }))
  const trainee = { params, config: model, optimizer }
  let start = 0
  let wallBefore = 0
  if (options.resume) {
    if (!(yield* fs.exists(stateFile)))
      return yield* new PretrainResumeError({ file: stateFile, reason: "no state file (nothing to resume)" })
    const state = yield* readRunState(stateFile)
    const extra = yield* Schema.decodeUnknown(Extra)(state.meta.extra).pipe(
      Effect.mapError((e) => new PretrainResumeError({ file: stateFile, reason: e.message }))
    )
    if (extra.fingerprint !== fingerprint)
      return yield* new PretrainResumeError({
        file: stateFile,
        reason: "it was written with another config, vocabulary or --steps"
      })
    restoreWeights(params, unprefixed("weights/", state.tensors))
    yield* optimizer.importState(unprefixed("adamw/", state.tensors))
    start = state.meta.step
    wallBefore = extra.wallSeconds
    const old = (yield* fs.exists(metricsFile)) ? yield* fs.readFileString(metricsFile) : ""
    yield* writeFileStringAtomic(metricsFile, keptMetrics(old, start))
  } else yield* writeFileStringAtomic(metricsFile, "")
  const metrics = yield* openMetricsLog(metricsFile)
  const shares = groupShares(data.groups, settings.alpha)
  const schedule =
    settings.schedule === "linear"
      ? linearWarmupDecay({ lr: settings.lr, warmupSteps: settings.warmupSteps, totalSteps: total })
      : inverseSqrtWarmup({ lr: settings.lr, warmupSteps: settings.warmupSteps })
  const started = performance.now()
  const wall = () => wallBefore + (performance.now() - started) / 1000
  const saveState = (next: number) =>
    writeRunState(stateFile, {
      meta: RunStateMeta.make({
        step: next,
        epoch: 0,
        batchIndex: 0,
        rngState: `seed ${settings.seed}: batches and masks from "seed/step/row", dropout from "seed/step"`,
        bestDev: null,
        extra: { fingerprint, wallSeconds: wall() }
      }),
      tensors: {
        ...prefixed("weights/", snapshotWeights(params)),
        ...prefixed("adamw/", optimizer.exportState())
      }
    })
  const batchOptions = {
    seed: settings.seed,
    batchSize: settings.batchSize,
    masking,
    padId: model.padTokenId
  }
  const packTo = settings.packing ? settings.maxLength : undefined
  for (let step = start; step < total; step++) {
    const batch = drawBatch(
      data.groups,
      shares,
      packTo === undefined ? batchOptions : { ...batchOptions, packTo },
      step
    )
    const result = yield* pretrainStep(
      trainee,
      { run: options.out, seed: settings.seed, maxGradNorm: settings.maxGradNorm },
      batch,
      step,
      schedule(step)
    )
    yield* metrics.append({ kind: "step", ...result })
    const done = step + 1
    if (done % settings.stateEvery === 0 || done === total) yield* saveState(done)
    if (options.onStep) yield* options.onStep(result, total)
  }
  const wallSeconds = wall()
  const heldOut: Array<LanguageScore> = data.heldOut.map(({ lang, examples }) => ({
    lang,
    sentences: examples.length,
    ...evaluateMlm(params, model, fixedBatches(examples, lang, { ...batchOptions }))
  }))
  yield* saveCheckpoint(options.out, { config: model, params, vocab: tokenizer.vocab.tokens, mlmHead: true })
  const steps = keptMetrics(yield* fs.readFileString(metricsFile), total)
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as { step: number; loss: number; accuracy: number })
  const root = yield* packageRoot()
  const card = renderModelCard({
    config: model,
    parameters: countParams(params),
    vocabSize: tokenizer.vocab.size,
    steps: total,
    batchSize: settings.batchSize,
    maxLength: settings.maxLength,
    wallSeconds,
    backend: options.backend,
    settings: { ...Schema.encodeSync(PretrainSettings)(settings), steps: total, sources: undefined },
    sources: data.counts,
    files: (yield* Effect.forEach(data.files, (file) => hashFile(file))).map((h) =>
      DataFileHash.make({ ...h, path: path.relative(data.root, h.path) })
    ),
    curve: lossCurve(steps),
    heldOut,
    commit: yield* commitOf(root.dir)
  })
  yield* writeFileStringAtomic(path.join(options.out, MODEL_CARD_FILE), card)
  return { steps: total, wallSeconds, heldOut, curve: lossCurve(steps) }
})
