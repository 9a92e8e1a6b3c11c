/**
 * Flags and layers the commands share, each flag declared once: `--data` (the data root) and
 * `--backend` (the tensor backend) and the layer they select, `--model`, `--out`, `--seed`,
 * `--html` (each command describes and defaults them for itself), `--json`, `--teachers` for the
 * commands that run a grid's cells, and `--experiment` with the training services' Layer; and
 * how a command writes a file it was asked for.
 */
import * as path from "node:path"
import { Args, HelpDoc, Options, ValidationError } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Effect, Layer, Option } from "effect"
import { Corpora } from "../data/index.js"
import { type RunOptions, loadLossTerms } from "../experiment/index.js"
import { LossTerms } from "../losses/index.js"
import { writeFileStringAtomic } from "../records/index.js"
import { Progress, type RecordedNative, TensorRuntime, backendChoices } from "../runtime/index.js"
import { trainingDefaults } from "../train/index.js"

/**
 * `Options.withDefault` whose default the help shows (`(default: 64)`; @effect/cli's help says
 * only "This setting is optional."); `shown` where the value itself does not say it.
 */
export const defaultTo =
  <const B>(fallback: B, shown: string = String(fallback)) =>
  <A>(self: Options.Options<A>): Options.Options<A | B> =>
    self.pipe(Options.withDefault(fallback), Options.withDescription(`(default: ${shown})`))

/** An encoder or model folder that must exist. */
export const modelOption = Options.directory("model", { exists: "yes" })

/** The run directory a command continues. */
export const runDirArg = Args.directory({ name: "RUN_DIR", exists: "yes" }).pipe(
  Args.withDescription("a run directory: `concner train --out`'s, or a grid cell's")
)

/** The folder a command writes (created). */
export const outOption = Options.directory("out")

/** The file a command writes. */
export const outFileOption = Options.file("out")

/** The HTML page a command writes (`report --html`, `visualize --html`). */
export const htmlFileOption = Options.file("html")

/** Writes `text` to `file` (atomically, making its folder) and says so on stderr. */
export const writeOutputFile = (file: string, text: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    yield* fs.makeDirectory(path.dirname(path.resolve(file)), { recursive: true })
    yield* writeFileStringAtomic(file, text)
    yield* Console.error(`wrote ${file}`)
  })

export const jsonOption = Options.boolean("json")

/** `--json` of a command whose result is otherwise a table for people. */
export const jsonResultOption = jsonOption.pipe(
  Options.withDescription("print the result as one JSON object instead of a table")
)

export const quietOption = Options.boolean("quiet").pipe(
  Options.withDescription("no progress on stderr (errors, and how to resume after Ctrl-C, still go there)")
)

/** `args` as a shell would need them typed (quoted where a character is special). */
export const shellLine = (args: ReadonlyArray<string>): string =>
  args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(" ")

/**
 * Progress on stderr (runtime/Progress.ts), none with `--quiet`; after Ctrl-C or SIGTERM it names
 * `resume`, the command line that continues the run, where there is one.
 */
export const progressLayer = (quiet: boolean, resume?: ReadonlyArray<string>) => {
  const line = resume === undefined ? undefined : shellLine(["concner", ...resume])
  return quiet ? Progress.quiet(line) : Progress.layer(line === undefined ? {} : { resume: line })
}

/** The flags of `flags` that were given, as `--name value` words (a resume command line repeats them). */
export const givenFlags = (flags: Record<string, Option.Option<string | number>>): Array<string> =>
  Object.entries(flags).flatMap(([name, value]) =>
    Option.isSome(value) ? [`--${name}`, String(value.value)] : []
  )

export const dataOption = Options.directory("data").pipe(
  Options.optional,
  Options.withDescription("data root (default: CONCNER_DATA, else ../shared/data)")
)

export const backendOption = Options.choice("backend", backendChoices).pipe(
  Options.optional,
  Options.withDescription("tensor backend (default: CONCNER_BACKEND, else the fastest available)")
)

/** A grid's folder of finished teachers (`RunOptions.teachers`); the grid runners pass it. */
export const teachersOption = Options.directory("teachers").pipe(
  Options.optional,
  Options.withDescription(
    "a grid's folder of finished teachers: take this run's teacher from it when one with the same key is there, publish the one it trains"
  )
)

/** An experiment module whose `terms` export registers the custom loss terms a spec names. */
export const experimentOption = Options.file("experiment", { exists: "yes" }).pipe(
  Options.optional,
  Options.withDescription(
    'an experiment module whose `terms` export registers the custom loss terms the spec names (see README, "Write your own loss")'
  )
)

/** `RunOptions` from `--teachers` and `--experiment`. */
export const runOptions = (flags: {
  readonly teachers: Option.Option<string>
  readonly experiment: Option.Option<string>
}): RunOptions => ({
  ...Option.match(flags.teachers, { onNone: () => ({}), onSome: (dir) => ({ teachers: dir }) }),
  ...Option.match(flags.experiment, { onNone: () => ({}), onSome: (file) => ({ experiment: file }) })
})

/** The training stage's services, with the loss terms the `experiment` module registers. */
export const trainingLayer = (experiment: Option.Option<string>) =>
  Option.match(experiment, {
    onNone: () => trainingDefaults,
    onSome: (file) =>
      Layer.merge(
        trainingDefaults,
        Layer.unwrapEffect(Effect.map(loadLossTerms(file), (terms) => LossTerms.layer(terms)))
      )
  })

/** The tensor runtime `--backend` and `--threads` name, repeating a recorded run's GEMM and threads where given. */
export const runtimeLayer = (
  backend: Option.Option<string>,
  threads: Option.Option<number> = Option.none(),
  recordedNative?: RecordedNative
) =>
  TensorRuntime.layer({
    ...(Option.isSome(backend) ? { backend: backend.value } : {}),
    ...(Option.isSome(threads) ? { nativeThreads: threads.value } : {}),
    ...(recordedNative !== undefined ? { recordedNative } : {})
  })

/** Corpora at `--data` and the tensor runtime `--backend` and `--threads` name. */
export const dataAndRuntime = (flags: {
  readonly data: Option.Option<string>
  readonly backend: Option.Option<string>
  readonly threads?: Option.Option<number>
  readonly recordedNative?: RecordedNative
}) =>
  Layer.mergeAll(
    Corpora.at(Option.getOrUndefined(flags.data)),
    runtimeLayer(flags.backend, flags.threads, flags.recordedNative)
  )

const numberFlag = (name: string, kind: "integer" | "number", pattern: RegExp) =>
  Options.text(name).pipe(
    Options.withPseudoName(kind),
    Options.mapEffect((text) =>
      pattern.test(text.trim())
        ? Effect.succeed(Number(text))
        : Effect.fail(
            ValidationError.invalidValue(
              HelpDoc.p(
                `--${name}: ${JSON.stringify(text.slice(0, 80))} is not ${kind === "integer" ? "an integer" : "a number"}`
              )
            )
          )
    )
  )

/** An integer flag whose parse error names it (@effect/cli's `Options.integer` says only "'abc' is not a integer"). */
export const integerOption = (name: string) => numberFlag(name, "integer", /^[+-]?\d+$/)

/** A number flag whose parse error names it. */
export const numberOption = (name: string) =>
  numberFlag(name, "number", /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i)

export const seedOption = integerOption("seed")

/** English sentences sampled as labeled source data (`ExperimentSpec.sourceSize`). */
export const sourceSizeOption = integerOption("source-size")

export const threadsOption = integerOption("threads").pipe(
  Options.optional,
  Options.withDescription(
    "threads of the native kernels (default: CONCNER_THREADS, else every core; with the built-in GEMM results do not depend on it)"
  )
)
