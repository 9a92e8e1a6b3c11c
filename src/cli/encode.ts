/**
 * `concner encode --model DIR [--max-length N]`: raw sentences on stdin, one per line, to one JSON line
 * each on stdout — `{"tokens":[…],"input_ids":[…],"hidden":[[…],…]}`: the subwords with [CLS]/[SEP],
 * their ids, and the encoder's last hidden states in eval mode (what HF's `BertModel` returns).
 */
import { createInterface } from "node:readline"
import { Command, Options } from "@effect/cli"
import { Console, Data, Effect, Option, Stream } from "effect"
import { NonFiniteOutput, SentenceTooLong, encodeSentence, loadModelFolder } from "../model/index.js"
import { describe } from "./commands.js"
import { backendOption, integerOption, modelOption, runtimeLayer } from "./common.js"

export class InvalidMaxLength extends Data.TaggedError("InvalidMaxLength")<{
  readonly maxLength: number
  readonly limit: number
}> {
  override get message() {
    return `--max-length ${this.maxLength}: must be between 2 ([CLS] and [SEP]) and the model's max_position_embeddings ${this.limit}`
  }
}

export class StdinError extends Data.TaggedError("StdinError")<{ readonly reason: string }> {
  override get message() {
    return `<stdin>: ${this.reason}`
  }
}

// made on demand: readline reads as soon as it exists, and lines read before iteration begins are lost
const stdinLines = Stream.suspend(() =>
  Stream.fromAsyncIterable(
    createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY }),
    (e) => new StdinError({ reason: String(e) })
  )
)

const model = modelOption.pipe(
  Options.withDescription("HF-layout BERT folder: config.json, model.safetensors, vocab.txt")
)
const maxLength = integerOption("max-length").pipe(
  Options.optional,
  Options.withDescription("truncate to N subwords with [CLS]/[SEP] (default: fail on longer sentences)")
)
const backend = backendOption

export const encodeCommand = Command.make("encode", { model, maxLength, backend }, (flags) =>
  Effect.gen(function* () {
    const { config, params, report, tokenizer } = yield* loadModelFolder(flags.model)
    if (report.unused.length > 0)
      yield* Console.error(`${report.file}: not used by the encoder: ${report.unused.join(", ")}`)
    const limit = config.maxSequenceLength
    const maxLength = Option.getOrUndefined(flags.maxLength)
    if (maxLength !== undefined && (maxLength < 2 || maxLength > limit))
      return yield* new InvalidMaxLength({ maxLength, limit })
    let line = 0
    yield* stdinLines.pipe(
      Stream.runForEach((text) =>
        Effect.gen(function* () {
          line++
          const encoding = tokenizer.encodeText(text, maxLength)
          if (encoding.inputIds.length > limit)
            return yield* new SentenceTooLong({
              file: "<stdin>",
              line,
              subwords: encoding.inputIds.length,
              limit,
              text
            })
          const encoded = encodeSentence(params, config, encoding)
          if (!encoded.hidden.every((row) => row.every(Number.isFinite)))
            return yield* new NonFiniteOutput({ where: `<stdin>:${line}`, what: "hidden states" })
          yield* Console.log(JSON.stringify(encoded))
        })
      )
    )
  }).pipe(Effect.scoped, Effect.provide(runtimeLayer(flags.backend)))
).pipe(Command.withDescription(describe("encode")))
