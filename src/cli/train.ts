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
import { Console, Data, Effect, Option } from "effect"
import {
  type Protocol,
  type SpecSettings,
  TRANSLATIONS_SYNTAX,
  formatResults,
  plannedStages,
  progressHooks,
  protocols,
  runInFolder,
  specOf
} from "../experiment/index.js"
import { type PaperVariant, paperObjectives } from "../losses/index.js"
import { SHIPPED_ENCODER } from "../model/index.js"
import {
  type RunRecord,
  blasCoreToPin,
  numericsDiffer,
  numericsOf,
  readRunJson,
  recordedNativeOf
} from "../records/index.js"
import { Progress, TensorRuntime } from "../runtime/index.js"
import { describe } from "./commands.js"
import {
  backendOption,
  dataAndRuntime,
  dataOption,
  experimentOption,
  givenFlags,
  integerOption,
  jsonResultOption,
  modelOption,
  numberOption,
  outOption,
  progressLayer,
  quietOption,
  seedOption,
  sourceSizeOption,
  threadsOption,
  trainingLayer
} from "./common.js"

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
  Options.withDescription("the target's corpus (default: conll)")
)
const sourceSize = sourceSizeOption.pipe(
  Options.optional,
  Options.withDescription("English sentences sampled (500, 1000, 2000); required without --spec")
)
const specFile = Options.file("spec", { exists: "yes" }).pipe(
  Options.optional,
  Options.withDescription(
    "re-run a recorded run: its spec.json (resolved spec and hash) gives every setting; no other run flag"
  )
)
const seed = seedOption.pipe(
  Options.optional,
  Options.withDescription("seed of the English sample, the dev and test subsets and training (default: 1)")
)
const model = modelOption.pipe(
  Options.optional,
  Options.withDescription(`HF-layout encoder folder (cpu protocol default: the shipped ${SHIPPED_ENCODER})`)
)
const out = outOption.pipe(Options.withDescription("run directory (created)"))
const protocol = Options.choice("protocol", ["cpu", "paper", "xlmr"]).pipe(
  Options.optional,
  Options.withDescription(
    "the training protocol: cpu (2 CPU cores), paper (the paper's settings; needs --model) or xlmr (the paper's pipeline with XTREME's XLM-R settings; needs --model) (default: cpu)"
  )
)
/** `protocol default: cpu 20, paper 30` for a protocol field (`none` where a protocol sets no bound). */
const protocolDefault = (field: keyof Protocol) =>
  `(protocol default: ${Object.entries(protocols)
    .map(
      ([name, p]) =>
        `${name} ${p[field] ?? (field === "devSentences" || field === "testSentences" || field === "kdSentences" ? "all" : "none")}`
    )
    .join(", ")})`
const int = (name: string, field: keyof Protocol, description: string) =>
  integerOption(name).pipe(
    Options.optional,
    Options.withDescription(`${description} ${protocolDefault(field)}`)
  )
const overrides = {
  maxSteps: int("max-steps", "maxSteps", "upper bound on teacher steps"),
  evalEvery: int("eval-every", "evalEvery", "evaluate on English dev every N steps"),
  epochs: int("epochs", "epochs", "teacher epochs"),
  kdEpochs: int("kd-epochs", "kdEpochs", "student (distillation) epochs over the unlabeled target sentences"),
  kdSentences: int(
    "kd-sentences",
    "kdSentences",
    "unlabeled target sentences the student distils on (a seeded subset)"
  ),
  batchSize: int("batch-size", "batchSize", "N source sentences per batch (plus N translations)"),
  maxLength: int("max-length", "maxLength", "subwords per sentence"),
  devSentences: int(
    "dev-sentences",
    "devSentences",
    "English dev sentences used for selection (a seeded subset)"
  ),
  testSentences: int(
    "test-sentences",
    "testSentences",
    "target test sentences scored (a seeded subset; for smoke tests)"
  )
}
const lr = numberOption("lr").pipe(
  Options.optional,
  Options.withDescription(`peak learning rate ${protocolDefault("lr")}`)
)
const translations = Options.text("translations").pipe(
  Options.optional,
  Options.withDescription(`D_TGT's source (default mulda): ${TRANSLATIONS_SYNTAX}`)
)
const data = dataOption
const backend = backendOption
const name = Options.text("name").pipe(
  Options.optional,
  Options.withDescription("a name for the run, recorded in run.json (not in the spec: it changes no number)")
)
const tag = Options.text("tag").pipe(
  Options.repeated,
  Options.withDescription("a tag for the run, recorded in run.json")
)

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
  threads: threadsOption,
  experiment: experimentOption,
  name,
  tag,
  quiet: quietOption,
  json: jsonResultOption
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
    // the table is printed once progress has closed (on a terminal, it would land on the status line)
    const { result, finished } = yield* Effect.gen(function* () {
      if (Option.isSome(recorded)) yield* warnIfNumericsDiffer(recorded.value)
      const spec = yield* specOf(settingsOf(flags), Option.getOrUndefined(flags.specFile)).pipe(
        Effect.catchTag("SpecSettingsInvalid", (e) => new TrainFlagsInvalid({ reason: e.reason }))
      )
      const progress = yield* Progress
      yield* progress.plan(plannedStages(spec))
      return yield* runInFolder(spec, flags.out, progressHooks(flags.out, progress), {
        labels: { name: Option.getOrUndefined(flags.name), tags: flags.tag }
      })
    }).pipe(
      Effect.provide(trainingLayer(flags.experiment)),
      Effect.provide(
        progressLayer(flags.quiet, [
          "resume",
          flags.out,
          ...givenFlags({ data: flags.data, backend, threads: flags.threads, experiment: flags.experiment })
        ])
      ),
      Effect.provide(
        dataAndRuntime({
          data: flags.data,
          backend,
          threads: flags.threads,
          ...Option.match(recorded, { onNone: () => ({}), onSome: (r) => recordedNativeOf(r.numerics) })
        })
      )
    )
    if (finished) yield* Console.error(`${flags.out}: this run has already finished there; its result:`)
    yield* Console.log(flags.json ? JSON.stringify(result) : formatResults([result]))
  })
).pipe(Command.withDescription(describe("train")))

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

/** The settings the flags give (none for a flag not given). */
const settingsOf = (flags: Flags): SpecSettings => {
  const given = <A>(o: Option.Option<A>) => Option.getOrUndefined(o)
  const overrides = Object.fromEntries(
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
  return Object.fromEntries(
    Object.entries({
      method: given(flags.method),
      lang: given(flags.lang),
      corpus: given(flags.corpus),
      sourceSize: given(flags.sourceSize),
      seed: given(flags.seed),
      model: given(flags.model),
      protocol: given(flags.protocol),
      translations: given(flags.translations),
      overrides: Object.keys(overrides).length > 0 ? overrides : undefined
    }).filter(([, v]) => v !== undefined)
  )
}
