/**
 * One run of an experiment spec, end to end: data → teacher (trained, selected on English dev,
 * scored on the target test set) → for KD methods a student distilled on D_U from the frozen
 * teacher, selected and scored the same way → `result.json`. The selected models are saved as
 * HF-layout folders (`teacher/`, `student/`) that `concner predict` and HF load. At every
 * evaluation point the resumable state is written, so `resumeExperiment` continues a run killed
 * at any moment and reaches the same numbers as an uninterrupted one. Given a grid's folder of
 * finished teachers (`RunOptions.teachers`), a fresh run takes its teacher from there when another
 * cell trained the same one, and publishes the one it trains (`teacherCache.ts`).
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Effect, Either, Option, ParseResult, Schema, type Scope, Stream } from "effect"
import { Corpora } from "../data/Corpora.js"
import type { Sentence } from "../data/conll.js"
import type { LabelSet } from "../data/labels.js"
import { predictTags, scorePredictions } from "../eval/predict.js"
import { checkRegistered } from "../losses/LossTerms.js"
import type { ObjectiveStage as Stage } from "../losses/objective.js"
import { saveCheckpoint } from "../model/checkpoint.js"
import type { BertConfig } from "../model/config.js"
import type { BertParams } from "../model/params.js"
import { writeFileStringAtomic } from "../records/atomic.js"
import { canonicalHash } from "../records/canonicalJson.js"
import { encoderFiles, modelDir } from "../records/modelPath.js"
import {
  type RunLabels,
  RunRecord,
  commitOf,
  makeRunRecord,
  numericsOf,
  packageRoot,
  readRunJson,
  recordFinish,
  recordResumption,
  recordStageUsage,
  recordTeacherSource,
  writeRunRecord
} from "../records/runRecord.js"
import { TensorRuntime } from "../runtime/TensorRuntime.js"
import { type SubwordTokenizer, loadTokenizer, tokenizerFiles } from "../text/Tokenizer.js"
import { Batcher, START } from "../train/Batcher.js"
import { CheckpointSelector } from "../train/CheckpointSelector.js"
import { AdamWConfig, makeAdamW } from "../train/adamw.js"
import { rowsFor } from "../train/batches.js"
import { type TrainExample, unlabeledExamples } from "../train/examples.js"
import { loadForTraining } from "../train/init.js"
import { type StageSettings, totalSteps, trainStage } from "../train/loop.js"
import { lockRunFolder } from "../train/runLock.js"
import { constantSchedule, linearWarmupDecay } from "../train/schedule.js"
import { restoreWeights } from "../train/weights.js"
import { prepareRunData, runDataFiles } from "./data.js"
import { writeTranslationRecord } from "./engineTranslations.js"
import { NotResumable, SpecFileInvalid } from "./errors.js"
import { type RunHooks, trimMetrics } from "./progress.js"
import { RunResult, type StageResult } from "./result.js"
import { ExperimentSpec } from "./spec.js"
import { type StageCheckpoint, loadStageCheckpoint, saveStageCheckpoint } from "./state.js"
import { CachedTeacher, publishTeacher, takeTeacher, teacherKey } from "./teacherCache.js"

interface Context {
  readonly spec: ExperimentSpec
  readonly runDir: string
  /** The encoder folder `spec.model` names. */
  readonly encoder: string
  readonly tokenizer: SubwordTokenizer
  readonly labels: LabelSet
  readonly dev: ReadonlyArray<Sentence>
  readonly test: ReadonlyArray<Sentence>
  readonly hooks: RunHooks
  /** Wall seconds the run has spent, earlier sittings included (as of their last saved state). */
  readonly elapsed: () => number
}

type Model = { readonly params: BertParams; readonly config: BertConfig }

const scoreOn = (model: Model, context: Context, sentences: ReadonlyArray<Sentence>) => {
  const { tokenizer, labels, spec } = context
  // weights are checked finite on load and training refuses a non-finite loss: NaN logits here are a bug
  const predicted = Either.getOrThrowWith(
    predictTags(model.params, model.config, tokenizer, labels, sentences, {
      batchSize: spec.protocol.evalBatchSize
    }),
    (error) => error
  )
  return { scores: scorePredictions(sentences, predicted.tags), predicted }
}

/** A selected model's stage result: its dev selection and step count, its test scores. */
const scoredOnTest = (
  model: Model,
  context: Context,
  dev: StageResult["dev"],
  steps: number
): StageResult => {
  const { scores, predicted } = scoreOn(model, context, context.test)
  return {
    dev,
    test: {
      f1: scores.overall.f1,
      precision: scores.overall.precision,
      recall: scores.overall.recall,
      byType: Object.fromEntries(Object.entries(scores.types).map(([t, s]) => [t, s.f1]))
    },
    steps,
    unpredictedTestWords: predicted.unpredictedWords
  }
}

const stageSeed = (spec: ExperimentSpec, stage: Stage) =>
  stage === "teacher" ? spec.seed : spec.seed + 1_000_003

const stageSettings = (
  spec: ExperimentSpec,
  stage: Stage,
  perEpoch: number,
  context: Context
): StageSettings => {
  const { protocol } = spec
  const base = {
    run: `${context.runDir} (${stage})`,
    seed: stageSeed(spec, stage),
    objective: spec.method,
    stage,
    rows: stage === "teacher" ? rowsFor(spec.method.needs) : ("source" as const),
    batchSize: protocol.batchSize,
    epochs: stage === "teacher" ? protocol.epochs : protocol.kdEpochs,
    evalEvery: protocol.evalEvery,
    tagTypes: context.labels.tagTypes,
    padId: context.tokenizer.vocab.padId,
    schedule: constantSchedule(protocol.lr),
    ...(protocol.maxGradNorm !== undefined ? { maxGradNorm: protocol.maxGradNorm } : {}),
    ...(stage === "teacher" && protocol.maxSteps !== undefined ? { maxSteps: protocol.maxSteps } : {}),
    ...(stage === "student" && protocol.kdMaxSteps !== undefined ? { maxSteps: protocol.kdMaxSteps } : {})
  }
  const total = totalSteps(base, perEpoch)
  const warmupSteps = Math.round(protocol.warmupRatio * total)
  return warmupSteps > 0
    ? { ...base, schedule: linearWarmupDecay({ lr: protocol.lr, warmupSteps, totalSteps: total }) }
    : base
}

/**
 * Trains one stage to its end (from `resume` when given) on the `Batcher`'s batches with the
 * `LossTerms`' loss, restores the checkpoint its `CheckpointSelector` kept and scores it on the
 * test set. `teacher` is the frozen teacher of the student stage. The kept weights are released
 * when the stage returns.
 */
const runStage = Effect.fn("Experiment.stage")(function* (
  stage: Stage,
  examples: ReadonlyArray<TrainExample>,
  context: Context,
  resume: StageCheckpoint | undefined,
  teacher?: { readonly model: Model; readonly result: StageResult }
) {
  const { spec } = context
  const perEpoch = (yield* Batcher).perEpoch(examples.length, spec.protocol.batchSize)
  const settings = stageSettings(spec, stage, perEpoch, context)
  const total = totalSteps(settings, perEpoch)
  const model = yield* loadForTraining(context.encoder, context.labels.tags, settings.seed)
  const optimizer = yield* makeAdamW(
    model.params,
    AdamWConfig.make({ weightDecay: spec.protocol.weightDecay })
  )
  if (resume !== undefined) {
    restoreWeights(model.params, resume.weights)
    yield* optimizer.importState(resume.optimizer)
  }
  const evaluate = (params: BertParams) =>
    Effect.sync(() => scoreOn({ params, config: model.config }, context, context.dev).scores.overall.f1)
  // the kept weights live while the stage trains, not through the next stage
  const best = yield* Effect.scoped(
    Effect.gen(function* () {
      const selection = yield* (yield* CheckpointSelector).open(resume?.best)
      yield* Stream.runForEach(
        trainStage(
          { ...model, optimizer },
          settings,
          examples,
          evaluate,
          selection,
          resume?.position ?? START,
          teacher?.model
        ),
        (event) =>
          Effect.gen(function* () {
            yield* context.hooks.onEvent(stage, event, total)
            if (event._tag !== "Eval") return
            const weights = Option.getOrThrow(yield* selection.keptWeights)
            yield* saveStageCheckpoint(
              context.runDir,
              stage,
              {
                next: event.next,
                best: { ...event.best, weights },
                seed: settings.seed,
                seconds: context.elapsed()
              },
              { params: model.params, optimizer },
              teacher?.result
            )
          })
      )
      const best = yield* selection.kept
      if (Option.isNone(best)) return yield* Effect.dieMessage(`${settings.run}: no evaluation ran (0 steps)`)
      yield* selection.restore(model.params)
      return best.value
    })
  )
  const result = scoredOnTest(model, context, { f1: best.f1, step: best.step }, total)
  yield* saveCheckpoint(path.join(context.runDir, stage), {
    config: model.config,
    labels: context.labels.tags,
    params: model.params,
    ...tokenizerFiles(context.tokenizer)
  })
  return { model, result }
})

/** The selected teacher saved by an earlier sitting, for a student stage that resumes. */
const savedTeacher = (context: Context) =>
  Effect.map(loadForTraining(path.join(context.runDir, "teacher"), context.labels.tags, 0), (m) => ({
    params: m.params,
    config: m.config
  }))

export interface RunOptions {
  /**
   * A grid's folder of finished teachers (see `teacherCache.ts`): a fresh run takes its teacher
   * from there when one was published under its key, and publishes the teacher it trains.
   */
  readonly teachers?: string
  /**
   * The experiment module whose `terms` export registers the custom loss terms of the spec: a
   * run in a child process loads them from it (`--experiment`); in-process runs get them from
   * the `LossTerms` service.
   */
  readonly experiment?: string
}

/** `options` as the flags of `concner resume` / `runner-cell`, for a run in a child process. */
export const runOptionFlags = (options: RunOptions): Array<string> => [
  ...(options.teachers !== undefined ? ["--teachers", options.teachers] : []),
  ...(options.experiment !== undefined ? ["--experiment", options.experiment] : [])
]

/** The teacher in `teachers` under `spec`'s key, taken into the run and scored on its test set. */
const takeSharedTeacher = (context: Context, teachers: string, key: string) =>
  Effect.gen(function* () {
    const taken = yield* takeTeacher(teachers, key, context.runDir)
    if (Option.isNone(taken)) return undefined
    const entry = taken.value
    yield* recordTeacherSource(context.runDir, entry)
    const model = yield* savedTeacher(context)
    return { model, result: scoredOnTest(model, context, entry.dev, entry.steps) }
  })

/** `spec`'s key in a grid's teachers folder, on this process's backend, kernels and threads. */
const sharedTeacherKey = (spec: ExperimentSpec) =>
  Effect.gen(function* () {
    const info = yield* (yield* TensorRuntime).info
    return yield* teacherKey(spec, info.backend, numericsOf(info))
  })

const execute = Effect.fn("Experiment.execute")(function* (
  spec: ExperimentSpec,
  runDir: string,
  hooks: RunHooks,
  resume: StageCheckpoint | undefined,
  options: RunOptions
) {
  yield* checkRegistered(spec.method)
  const started = Date.now() - (resume?.seconds ?? 0) * 1000
  const elapsed = () => (Date.now() - started) / 1000
  const encoder = yield* modelDir(spec.model)
  const tokenizer = yield* loadTokenizer(encoder)
  const data = yield* prepareRunData(spec, tokenizer)
  if (data.translation !== undefined) yield* writeTranslationRecord(runDir, data.translation)
  // a stage's CPU time, wall time and peak memory, added to run.json when it ends
  const measured = <A, E, R>(stage: Stage, run: Effect.Effect<A, E, R>) =>
    Effect.gen(function* () {
      const cpu = process.cpuUsage()
      const from = elapsed()
      const done = yield* run
      yield* recordStageUsage(runDir, stage, cpu, elapsed() - from)
      return done
    })
  const context: Context = {
    spec,
    runDir,
    encoder,
    tokenizer,
    labels: data.labels,
    dev: data.dev,
    test: data.test,
    hooks,
    elapsed
  }
  return yield* Effect.scoped(
    Effect.gen(function* () {
      const inStudent = resume?.stage === "student" && resume.teacher !== undefined
      const shared =
        options.teachers === undefined
          ? undefined
          : { dir: options.teachers, key: yield* sharedTeacherKey(spec) }
      const taken =
        shared !== undefined && resume === undefined
          ? yield* takeSharedTeacher(context, shared.dir, shared.key)
          : undefined
      const teacher = inStudent
        ? { model: yield* savedTeacher(context), result: resume.teacher! }
        : (taken ?? (yield* measured("teacher", runStage("teacher", data.teacherExamples, context, resume))))
      // a teacher trained here (not one taken, nor one a past sitting finished and maybe took)
      if (shared !== undefined && taken === undefined && !inStudent)
        yield* publishTeacher(
          shared.dir,
          CachedTeacher.make({
            key: shared.key,
            runDir,
            commit: yield* commitOf((yield* packageRoot()).dir),
            dev: teacher.result.dev,
            steps: teacher.result.steps
          })
        )
      let student: StageResult | undefined
      if (spec.method.hasKdStage) {
        const examples = unlabeledExamples(tokenizer, data.unlabeled, spec.protocol.maxLength)
        const from = inStudent ? resume : undefined
        student = (yield* measured("student", runStage("student", examples, context, from, teacher))).result
      }
      const result = RunResult.make({
        method: spec.method.name,
        lang: spec.lang,
        corpus: spec.corpus,
        sourceSize: spec.sourceSize,
        seed: spec.seed,
        protocol: spec.protocol.name,
        model: spec.model,
        ...teacher.result,
        ...(student ? { student } : {}),
        ...(spec.method.needs.translations ? { translations: spec.translations } : {}),
        testSentences: data.test.length,
        missingTranslations: data.missingTranslations.length,
        seconds: elapsed()
      })
      yield* recordFinish(runDir)
      yield* writeFileStringAtomic(path.join(runDir, "result.json"), `${JSON.stringify(result, null, 2)}\n`)
      return result
    })
  )
})

/** What `run.json` records for `spec` run now: the inputs' hashes, the commit, the backend. */
export const currentRecord = Effect.fn("Experiment.currentRecord")(function* (spec: ExperimentSpec) {
  const corpora = yield* Corpora
  const runtime = yield* TensorRuntime
  const info = yield* runtime.info
  const encoder = yield* modelDir(spec.model)
  return yield* makeRunRecord({
    spec: Schema.encodeSync(ExperimentSpec)(spec),
    // the encoder's weights and vocabulary are inputs as much as the data
    dataFiles: [
      ...runDataFiles(spec).map((f) => ({ file: path.join(corpora.root, f), as: f })),
      ...(yield* encoderFiles(encoder)).map((file) => ({
        file,
        as: path.join(spec.model, path.basename(file))
      }))
    ],
    backend: runtime.backend,
    numerics: numericsOf(info)
  })
})

/**
 * Creates `runDir` with `spec.json` and `run.json` (with `labels`, else those a `run.json` already
 * there records); `resumeExperiment` then runs it from the start (what the grid runner's child
 * processes do).
 */
export const recordRun = Effect.fn("Experiment.record")(function* (
  spec: ExperimentSpec,
  runDir: string,
  labels?: RunLabels
) {
  const fs = yield* FileSystem.FileSystem
  yield* fs.makeDirectory(runDir, { recursive: true })
  const kept = labels ?? (yield* Effect.option(readRunJson(runDir))).pipe(Option.getOrUndefined)
  const record = yield* currentRecord(spec)
  yield* writeRunRecord(
    runDir,
    Schema.encodeSync(ExperimentSpec)(spec),
    RunRecord.make({
      ...record,
      ...(kept?.name === undefined ? {} : { name: kept.name }),
      ...(kept?.tags === undefined || kept.tags.length === 0 ? {} : { tags: kept.tags })
    })
  )
})

/**
 * Runs `spec` into `runDir` (created if needed): `spec.json`, `run.json`, `metrics.jsonl`, models,
 * `result.json`, and for an engine's translations `translation.json`.
 */
export const runExperiment = Effect.fn("Experiment.run")(function* (
  spec: ExperimentSpec,
  runDir: string,
  hooks: RunHooks,
  options: RunOptions & { readonly labels?: RunLabels } = {}
) {
  return yield* Effect.scoped(
    Effect.gen(function* () {
      yield* lockRunFolder(runDir)
      yield* recordRun(spec, runDir, options.labels ?? {})
      return yield* execute(spec, runDir, hooks, undefined, options)
    })
  )
})

/**
 * The spec a `spec.json` records (as `recordRun` writes it), checked against the hash recorded
 * beside it: an edited spec is refused rather than re-run under the old run's name.
 */
export const readSpecFile = Effect.fn("Experiment.readSpecFile")(function* (file: string) {
  const fs = yield* FileSystem.FileSystem
  const json = yield* fs
    .readFileString(file)
    .pipe(Effect.mapError((e) => new SpecFileInvalid({ file, reason: `cannot read: ${e.message}` })))
  const recorded = yield* Schema.decodeUnknown(
    Schema.parseJson(Schema.Struct({ sha256: Schema.String, spec: ExperimentSpec }))
  )(json).pipe(
    Effect.mapError(
      (e) => new SpecFileInvalid({ file, reason: ParseResult.TreeFormatter.formatErrorSync(e) })
    )
  )
  const hash = canonicalHash(Schema.encodeSync(ExperimentSpec)(recorded.spec))
  if (hash !== recorded.sha256)
    return yield* new SpecFileInvalid({
      file,
      reason: `the spec hashes to ${hash.slice(0, 12)}…, not the recorded ${recorded.sha256.slice(0, 12)}… (edited after the run?)`
    })
  return recorded.spec
})

/** The spec recorded in `runDir/spec.json`. */
export const recordedSpec = Effect.fn("Experiment.recordedSpec")(function* (runDir: string) {
  const fs = yield* FileSystem.FileSystem
  const file = path.join(runDir, "spec.json")
  if (!(yield* fs.exists(file))) return yield* new NotResumable({ dir: runDir, reason: "no spec.json" })
  return yield* readSpecFile(file).pipe(
    Effect.mapError((e) => new NotResumable({ dir: runDir, reason: e.message }))
  )
})

/**
 * Continues the run in `runDir` from its last evaluation point (from the start if it never reached
 * one); `metrics.jsonl` is first cut back to that point. `hooks` is built after the cut.
 */
export const resumeExperiment = <E>(
  runDir: string,
  makeHooks: Effect.Effect<RunHooks, E, Scope.Scope | FileSystem.FileSystem>,
  options: RunOptions = {}
) =>
  Effect.gen(function* () {
    yield* lockRunFolder(runDir)
    const spec = yield* recordedSpec(runDir)
    const checkpoint = Option.getOrUndefined(yield* loadStageCheckpoint(runDir))
    // from the start, this sitting's record is the run's; from a saved state, it is appended
    if (checkpoint === undefined) yield* recordRun(spec, runDir)
    else
      yield* recordResumption(runDir, yield* currentRecord(spec), {
        stage: checkpoint.stage,
        step: checkpoint.position.step
      }).pipe(Effect.mapError((reason) => new NotResumable({ dir: runDir, reason })))
    yield* trimMetrics(runDir, checkpoint)
    return yield* Effect.flatMap(makeHooks, (hooks) => execute(spec, runDir, hooks, checkpoint, options))
  }).pipe(Effect.scoped, Effect.withSpan("Experiment.resume"))
