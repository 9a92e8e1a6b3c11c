/**
 * `concner quickstart [--lang de] [--source-size 500] [--seed 1] [--model DIR] [--out runs/quickstart]`:
 * En, MulDA and ConCNER on the shared data, their test F1 side by side (the README's main job).
 */
import * as path from "node:path"
import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { formatQuickstart, progressHooks, quickstartSourceSize, runQuickstart } from "../experiment/index.js"
import { trainingDefaults } from "../train/index.js"
import { describe } from "./commands.js"
import {
  backendOption,
  dataAndRuntime,
  dataOption,
  modelOption,
  outOption,
  seedOption,
  sourceSizeOption,
  threadsOption
} from "./common.js"

const lang = Options.choice("lang", ["de", "es", "nl"]).pipe(Options.withDefault("de" as const))
const sourceSize = sourceSizeOption.pipe(
  Options.withDefault(quickstartSourceSize),
  Options.withDescription("English sentences sampled as labeled source data")
)
const seed = seedOption.pipe(Options.withDefault(1))
const model = modelOption.pipe(
  Options.optional,
  Options.withDescription("encoder folder (default: the shipped pretrained encoder, models/concner-small)")
)
const out = outOption.pipe(Options.withDefault("runs/quickstart"))
const data = dataOption
const backend = backendOption

export const quickstartCommand = Command.make(
  "quickstart",
  { lang, sourceSize, seed, model, out, data, backend, threads: threadsOption },
  (flags) =>
    runQuickstart(
      {
        out: path.resolve(flags.out),
        lang: flags.lang,
        sourceSize: flags.sourceSize,
        seed: flags.seed,
        ...(Option.isSome(flags.model) ? { model: flags.model.value } : {})
      },
      (runDir) => progressHooks(runDir)
    ).pipe(
      Effect.flatMap((results) => Console.log(formatQuickstart(results))),
      Effect.provide(trainingDefaults),
      Effect.provide(dataAndRuntime(flags))
    )
).pipe(Command.withDescription(describe("quickstart")))
