/**
 * `concner train --method M --lang L --source-size K --seed S [--model DIR] --out RUN_DIR [...]`
 * or `concner train --spec RUN/spec.json --out RUN_DIR` (a recorded run again, from its resolved spec,
 * on the backend `RUN/run.json` records unless `--backend` names another):
 * one run of the paper's pipeline (teacher → dev selection → test; KD student for KD methods),
 * `RUN_DIR/result.json` at the end, `RUN_DIR/metrics.jsonl` as it goes.
 * `--translations` names D_TGT's source: `mulda | deepl-awesome` (published sets, CoNLL de/es/nl),
 * `engine:dictionary` (MUSE word by word), `engine:apertium`, `engine:command=CMD` (any line-protocol
 * translator); engines translate the sampled sentences and write `RUN_DIR/translation.json`.
 */
import * as path from "node:path"
import { Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Data, Effect, Option, Schema } from "effect"
import { specModelPath } from "../experiment/modelPath.js"
import { progressHooks } from "../experiment/progress.js"
import { readSpecFile, runExperiment } from "../experiment/run.js"
import {
  type RunRecord,
  blasCoreToPin,
  numericsDiffer,
  numericsOf,
  readRunJson,
  recordedNativeOf
} from "../experiment/runRecord.js"
import { ExperimentSpec, protocols } from "../experiment/spec.js"
import { TRANSLATIONS_SYNTAX, parseTranslationSource } from "../experiment/translations.js"
import { type PaperVariant, paperObjectives } from "../losses/objective.js"
import { SHIPPED_ENCODER, shippedEncoder } from "../model/shipped.js"
import { TensorRuntime } from "../runtime/TensorRuntime.js"
import { backendOption, dataAndRuntime, dataOption, threadsOption } from "./common.js"

const method = Options.choice("method", Object.keys(paperObjectives) as Array<PaperVariant>).pipe(
  Options.optional,
  Options.withDescription("a method of the paper (Tables 3–5); required without --spec")
)
const lang = Options.text("lang").pipe(
  Options.optional,
  Options.withDescription(
    "target language (de, es, nl; WikiAnn codes with --corpus wikiann); required without --spec"
  )
)
const corpus = Options.choice("corpus", ["conll", "wikiann"]).pipe(
  Options.optional,
  Options.withDescription("conll (default) or wikiann")
)
const sourceSize = Options.integer("source-size").pipe(
  Options.optional,
  Options.withDescription("English sentences sampled (500, 1000, 2000); required without --spec")
)
const specFile = Options.file("spec", { exists: "yes" }).pipe(
  Options.optional,
  Options.withDescription(
    "re-run a recorded run: its spec.json (resolved spec and hash) gives every setting; no other run flag"
  )
)
const seed = Options.integer("seed").pipe(Options.optional, Options.withDescription("default 1"))
const model = Options.directory("model", { exists: "yes" }).pipe(
  Options.optional,
  Options.withDescription(`HF-layout encoder folder (cpu protocol default: the shipped ${SHIPPED_ENCODER})`)
)
const out = Options.directory("out").pipe(Options.withDescription("run directory (created)"))
const protocol = Options.choice("protocol", ["cpu", "paper"]).pipe(
  Options.optional,
  Options.withDescription("cpu (default) or paper")
)
const int = (name: string, description: string) =>
  Options.integer(name).pipe(Options.optional, Options.withDescription(description))
const overrides = {
  maxSteps: int("max-steps", "upper bound on teacher steps"),
  evalEvery: int("eval-every", "evaluate on English dev every N steps"),
  epochs: int("epochs", "teacher epochs"),
  kdEpochs: int("kd-epochs", "student (distillation) epochs over the unlabeled target sentences"),
  kdSentences: int("kd-sentences", "unlabeled target sentences the student distils on (a seeded subset)"),
  batchSize: int("batch-size", "N source sentences per batch (plus N translations)"),
  maxLength: int("max-length", "subwords per sentence"),
  devSentences: int("dev-sentences", "English dev sentences used for selection (a seeded subset)"),
  testSentences: int("test-sentences", "target test sentences scored (a seeded subset; for smoke tests)")
}
const lr = Options.float("lr").pipe(Options.optional, Options.withDescription("peak learning rate"))
const translations = Options.text("translations").pipe(
  Options.optional,
  Options.withDescription(`D_TGT's source (default mulda): ${TRANSLATIONS_SYNTAX}`)
)
const data = dataOption
const backend = backendOption

/** Flags that cannot go together, or a run flag missing. */
export class TrainFlagsInvalid extends Data.TaggedError("TrainFlagsInvalid")<{ readonly reason: string }> {
  override get message() {
    return `concner train: ${this.reason}`
  }
}

const flagSet = {
  specFile,
  method,
  lang,
  corpus,
  sourceSize,
  seed,
  model,
  out,
  protocol,
  ...overrides,
  lr,
  translations,
  data,
  backend,
  threads: threadsOption
}
type Flags = Command.Command.ParseConfig<typeof flagSet>

export const trainCommand = Command.make("train", flagSet, (flags) =>
  Effect.gen(function* () {
    const recorded = Option.isNone(flags.specFile)
      ? Option.none<RunRecord>()
      : yield* recordedRun(flags.specFile.value)
    const backend = Option.orElse(flags.backend, () => Option.map(recorded, (r) => r.backend))
    if (Option.isNone(flags.backend) && Option.isSome(flags.specFile) && Option.isSome(recorded))
      yield* Console.error(
        `backend ${recorded.value.backend}, as ${path.join(path.dirname(flags.specFile.value), "run.json")} records (--backend to choose another; numbers repeat exactly on the same one)`
      )
    yield* Effect.gen(function* () {
      if (Option.isSome(recorded)) yield* warnIfNumericsDiffer(recorded.value)
      const spec = Option.isSome(flags.specFile)
        ? yield* specOf(flags.specFile.value, flags)
        : yield* specFrom(flags)
      const result = yield* Effect.scoped(
        Effect.flatMap(progressHooks(flags.out), (hooks) => runExperiment(spec, flags.out, hooks))
      )
      yield* Console.log(JSON.stringify(result))
    }).pipe(
      Effect.provide(
        dataAndRuntime({
          data: flags.data,
          backend,
          threads: flags.threads,
          ...Option.match(recorded, { onNone: () => ({}), onSome: (r) => recordedNativeOf(r.numerics) })
        })
      )
    )
  })
).pipe(Command.withDescription("train (and distil) one run of a method and score it on the target test set"))

/**
 * The `run.json` beside a `--spec` file (none without one): a run repeats exactly only on the
 * backend, kernels and threads that made it, so a re-run uses its backend unless `--backend` names
 * another, and says where the rest differs.
 */
const recordedRun = (specFile: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    if (!(yield* fs.exists(path.join(path.dirname(specFile), "run.json")))) return Option.none<RunRecord>()
    const record = yield* readRunJson(path.dirname(specFile)).pipe(
      Effect.mapError(
        (reason) =>
          new TrainFlagsInvalid({
            reason: `cannot read the backend the run recorded (${reason}); name one with --backend`
          })
      )
    )
    return Option.some(record)
  })

/** A warning when this process's kernels or threads are not those `recorded` ran with. */
const warnIfNumericsDiffer = (recorded: RunRecord) =>
  Effect.gen(function* () {
    const info = yield* (yield* TensorRuntime).info
    if (recorded.numerics === undefined || info.backend !== recorded.backend) return
    const now = numericsOf(info)
    const differ = numericsDiffer(recorded.numerics, now)
    // OpenBLAS reads OPENBLAS_CORETYPE when it loads, so the remedy is a setting of the next run
    const core = blasCoreToPin(recorded.numerics, now)
    const pin =
      core === undefined
        ? ""
        : `; OPENBLAS_CORETYPE=${core} selects the recorded OpenBLAS kernels where this CPU has their instructions`
    if (differ.length > 0)
      yield* Console.error(
        `warning: this run was recorded with other kernels or threads (${differ.join(", ")}): its numbers will be close, not identical${pin}`
      )
  })

/** The names (`--name`) of the optional flags whose value passes `test`. */
const flagsWhere = (
  test: (o: Option.Option<unknown>) => boolean,
  named: Readonly<Record<string, Option.Option<unknown>>>
) =>
  Object.entries(named)
    .filter(([, v]) => test(v))
    .map(([k]) => `--${k}`)

/** `--spec FILE`: the recorded spec, and no flag that would change it. */
const specOf = (file: string, flags: Flags) => {
  const given = [
    ...flagsWhere(Option.isSome, {
      method: flags.method,
      lang: flags.lang,
      "source-size": flags.sourceSize,
      model: flags.model,
      corpus: flags.corpus,
      seed: flags.seed,
      protocol: flags.protocol,
      translations: flags.translations
    }),
    ...Object.entries(overrideFlags(flags)).map(
      ([k]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
    )
  ]
  return given.length > 0
    ? Effect.fail(
        new TrainFlagsInvalid({ reason: `--spec gives every setting of the run; drop ${given.join(", ")}` })
      )
    : readSpecFile(file)
}

/** The protocol fields set by flags. */
const overrideFlags = (flags: Flags) =>
  Object.fromEntries(
    Object.entries({
      maxSteps: flags.maxSteps,
      evalEvery: flags.evalEvery,
      epochs: flags.epochs,
      kdEpochs: flags.kdEpochs,
      kdSentences: flags.kdSentences,
      batchSize: flags.batchSize,
      maxLength: flags.maxLength,
      devSentences: flags.devSentences,
      testSentences: flags.testSentences,
      lr: flags.lr
    }).flatMap(([k, v]) => (Option.isSome(v) ? [[k, v.value]] : []))
  )

/** The spec the flags describe. */
const specFrom = (flags: Flags) =>
  Effect.gen(function* () {
    const missing = flagsWhere(Option.isNone, {
      method: flags.method,
      lang: flags.lang,
      "source-size": flags.sourceSize
    })
    if (missing.length > 0)
      return yield* new TrainFlagsInvalid({ reason: `missing ${missing.join(", ")} (or give --spec FILE)` })
    const protocolName = Option.getOrElse(flags.protocol, () => "cpu" as const)
    const base = protocols[protocolName]
    const model = Option.isSome(flags.model)
      ? flags.model.value
      : protocolName === "cpu"
        ? yield* shippedEncoder()
        : yield* new TrainFlagsInvalid({
            reason: "the paper protocol needs --model (the paper's mBERT folder)"
          })
    return yield* Schema.decodeUnknown(ExperimentSpec)({
      method: Option.getOrThrow(flags.method),
      lang: Option.getOrThrow(flags.lang),
      corpus: Option.getOrElse(flags.corpus, () => "conll"),
      sourceSize: Option.getOrThrow(flags.sourceSize),
      seed: Option.getOrElse(flags.seed, () => 1),
      model: yield* specModelPath(model),
      translations: yield* parseTranslationSource(Option.getOrElse(flags.translations, () => "mulda")),
      mismatches: "keep",
      protocol: { ...base, ...overrideFlags(flags) }
    })
  })
