/**
 * `concner predict --model DIR FILE|-`: tags a CoNLL file (token first, gold tag last) with a
 * trained token classifier and prints `TOKEN GOLD PREDICTED` lines, blank line between sentences
 * — conlleval input, so `concner predict … | concner evaluate -` scores it.
 */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { decodeConll, labelSetOf, readTextInput } from "../data/index.js"
import { predictTags } from "../eval/index.js"
import { loadModelFolder } from "../model/index.js"
import { describe } from "./commands.js"
import { backendOption, defaultTo, integerOption, modelOption, runtimeLayer } from "./common.js"
import { ModelInitError } from "./model.js"

const model = modelOption.pipe(
  Options.withDescription("a trained token-classification folder (e.g. RUN_DIR/teacher)")
)
const file = Args.text({ name: "FILE" }).pipe(Args.withDescription("CoNLL file, or - for stdin"))
const batchSize = integerOption("batch-size").pipe(
  defaultTo(64),
  Options.withDescription("sentences per forward pass (memory, not results)")
)
const backend = backendOption

export const predictCommand = Command.make("predict", { model, file, batchSize, backend }, (flags) =>
  Effect.scoped(
    Effect.gen(function* () {
      const name = flags.file === "-" ? "<stdin>" : flags.file
      const { sentences } = yield* decodeConll(yield* readTextInput(flags.file), name)
      const loaded = yield* loadModelFolder(flags.model)
      const id2label = loaded.config.labels
      if (id2label === undefined)
        return yield* new ModelInitError({
          file: flags.model,
          reason: "config.json has no id2label: not a token classifier"
        })
      const tokenizer = loaded.tokenizer
      const predicted = yield* predictTags(
        loaded.params,
        loaded.config,
        tokenizer,
        labelSetOf(id2label),
        sentences,
        {
          batchSize: flags.batchSize
        }
      )
      const lines = sentences.map((s, i) =>
        s.tokens.map((token, j) => `${token} ${s.tags[j]} ${predicted.tags[i]![j]}\n`).join("")
      )
      yield* Console.log(lines.join("\n"))
      if (predicted.unpredictedWords > 0)
        yield* Console.error(
          `${predicted.unpredictedWords} words in ${predicted.truncatedSentences} sentences were past the model's ${loaded.config.maxSequenceLength} positions: predicted O`
        )
    })
  ).pipe(Effect.provide(runtimeLayer(flags.backend)))
).pipe(Command.withDescription(describe("predict")))
