/**
 * `concner quickstart [--lang de] [--source-size 500] [--seed 1] [--model DIR] [--out runs/quickstart]`:
 * En, MulDA and ConCNER on the shared data, their test F1 side by side (the README's main job).
 * Run again with the same flags, it continues where it was stopped.
 */
import * as path from "node:path"
import { Command, Options } from "@effect/cli"
import { Console, Effect, Layer, Option } from "effect"
import { formatResults, quickstartSourceSize, runQuickstart } from "../experiment/index.js"
import { Progress } from "../runtime/index.js"
import { trainingDefaults } from "../train/index.js"
import { describe } from "./commands.js"
import {
  backendOption,
  dataAndRuntime,
  dataOption,
  defaultTo,
  givenFlags,
  jsonResultOption,
  modelOption,
  outOption,
  progressLayer,
  quietOption,
  seedOption,
  sourceSizeOption,
  threadsOption
} from "./common.js"

const lang = Options.choice("lang", ["de", "es", "nl"]).pipe(
  defaultTo("de" as const),
  Options.withDescription("target language (CoNLL)")
)
const sourceSize = sourceSizeOption.pipe(
  defaultTo(quickstartSourceSize),
  Options.withDescription("English sentences sampled as labeled source data")
)
const seed = seedOption.pipe(
  defaultTo(1),
  Options.withDescription("seed of the English sample, the dev and test subsets and training")
)
const model = modelOption.pipe(
  Options.optional,
  Options.withDescription("encoder folder (default: the shipped pretrained encoder, models/concner-small)")
)
const out = outOption.pipe(
  defaultTo("runs/quickstart"),
  Options.withDescription("folder of the three runs (OUT/en, OUT/mulda, OUT/concner)")
)
const data = dataOption
const backend = backendOption

export const quickstartCommand = Command.make(
  "quickstart",
  {
    lang,
    sourceSize,
    seed,
    model,
    out,
    data,
    backend,
    threads: threadsOption,
    quiet: quietOption,
    json: jsonResultOption
  },
  (flags) =>
    Effect.flatMap(Progress, (progress) =>
      runQuickstart(
        {
          out: path.resolve(flags.out),
          lang: flags.lang,
          sourceSize: flags.sourceSize,
          seed: flags.seed,
          ...(Option.isSome(flags.model) ? { model: flags.model.value } : {})
        },
        progress
      )
    ).pipe(
      Effect.provide(trainingDefaults),
      Effect.provide(
        Layer.merge(
          dataAndRuntime(flags),
          progressLayer(flags.quiet, [
            "quickstart",
            "--lang",
            flags.lang,
            "--source-size",
            String(flags.sourceSize),
            "--seed",
            String(flags.seed),
            "--out",
            flags.out,
            ...givenFlags({
              model: flags.model,
              data: flags.data,
              backend: flags.backend,
              threads: flags.threads
            })
          ])
        )
      ),
      // printed once progress has closed (on a terminal, it would land on the status line)
      Effect.flatMap((results) => Console.log(flags.json ? JSON.stringify(results) : formatResults(results)))
    )
).pipe(Command.withDescription(describe("quickstart")))
