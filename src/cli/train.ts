/**
 * `concner train --method M --lang L --source-size K --seed S --model DIR --out RUN_DIR [...]`:
 * one run of the paper's pipeline (teacher → dev selection → test; KD student for KD methods),
 * `RUN_DIR/result.json` at the end, `RUN_DIR/metrics.jsonl` as it goes.
 * `--translations` names D_TGT's source: `mulda | deepl-awesome` (published sets, CoNLL de/es/nl),
 * `engine:dictionary` (MUSE word by word), `engine:apertium`, `engine:command=CMD` (any line-protocol
 * translator); engines translate the sampled sentences and write `RUN_DIR/translation.json`.
 */
import * as path from "node:path"
import { Command, Options } from "@effect/cli"
import { Console, Effect, Option, Schema } from "effect"
import { progressHooks } from "../experiment/progress.js"
import { runExperiment } from "../experiment/run.js"
import { ExperimentSpec, protocols } from "../experiment/spec.js"
import { TRANSLATIONS_SYNTAX, parseTranslationSource } from "../experiment/translations.js"
import { type PaperVariant, paperObjectives } from "../losses/objective.js"
import { backendOption, dataAndRuntime } from "./common.js"

const method = Options.choice("method", Object.keys(paperObjectives) as Array<PaperVariant>).pipe(
  Options.withDescription("a method of the paper (Tables 3–5)")
)
const lang = Options.text("lang").pipe(
  Options.withDescription("target language (de, es, nl; WikiAnn codes with --corpus wikiann)")
)
const corpus = Options.choice("corpus", ["conll", "wikiann"]).pipe(Options.withDefault("conll" as const))
const sourceSize = Options.integer("source-size").pipe(
  Options.withDescription("English sentences sampled (500, 1000, 2000)")
)
const seed = Options.integer("seed").pipe(Options.withDefault(1))
const model = Options.directory("model", { exists: "yes" }).pipe(
  Options.withDescription("HF-layout encoder folder")
)
const out = Options.directory("out").pipe(Options.withDescription("run directory (created)"))
const protocol = Options.choice("protocol", ["cpu", "paper"]).pipe(Options.withDefault("cpu" as const))
const int = (name: string, description: string) =>
  Options.integer(name).pipe(Options.optional, Options.withDescription(description))
const overrides = {
  maxSteps: int("max-steps", "upper bound on teacher steps"),
  evalEvery: int("eval-every", "evaluate on English dev every N steps"),
  epochs: int("epochs", "teacher epochs"),
  batchSize: int("batch-size", "N source sentences per batch (plus N translations)"),
  maxLength: int("max-length", "subwords per sentence"),
  devSentences: int("dev-sentences", "English dev sentences used for selection (a seeded subset)"),
  testSentences: int("test-sentences", "target test sentences scored (a seeded subset; for smoke tests)")
}
const lr = Options.float("lr").pipe(Options.optional, Options.withDescription("peak learning rate"))
const translations = Options.text("translations").pipe(
  Options.withDefault("mulda"),
  Options.withDescription(`D_TGT's source: ${TRANSLATIONS_SYNTAX}`)
)
const data = Options.directory("data").pipe(
  Options.optional,
  Options.withDescription("data root (default CONCNER_DATA or ../shared/data)")
)
const backend = backendOption

export const trainCommand = Command.make(
  "train",
  {
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
    backend
  },
  (flags) =>
    Effect.gen(function* () {
      const base = protocols[flags.protocol]
      const set = Object.fromEntries(
        Object.entries({
          maxSteps: flags.maxSteps,
          evalEvery: flags.evalEvery,
          epochs: flags.epochs,
          batchSize: flags.batchSize,
          maxLength: flags.maxLength,
          devSentences: flags.devSentences,
          testSentences: flags.testSentences,
          lr: flags.lr
        }).flatMap(([k, v]) => (Option.isSome(v) ? [[k, v.value]] : []))
      )
      const spec = yield* Schema.decodeUnknown(ExperimentSpec)({
        method: flags.method,
        lang: flags.lang,
        corpus: flags.corpus,
        sourceSize: flags.sourceSize,
        seed: flags.seed,
        model: path.resolve(flags.model),
        translations: yield* parseTranslationSource(flags.translations),
        mismatches: "keep",
        protocol: { ...base, ...set }
      })
      const result = yield* Effect.scoped(
        Effect.flatMap(progressHooks(flags.out), (hooks) => runExperiment(spec, flags.out, hooks))
      )
      yield* Console.log(JSON.stringify(result))
    }).pipe(Effect.provide(dataAndRuntime(flags)))
).pipe(Command.withDescription("train (and distil) one run of a method and score it on the target test set"))
