/**
 * `concner encode --model DIR [--max-length N]`: raw sentences on stdin, one per line, to one JSON line
 * each on stdout — `{"tokens":[…],"input_ids":[…],"hidden":[[…],…]}`: the subwords with [CLS]/[SEP],
 * their ids, and the encoder's last hidden states in eval mode (what HF's `BertModel` returns).
 */
import { createInterface } from "node:readline"
import { Command, Options } from "@effect/cli"
import { Console, Data, Effect, Option, Stream } from "effect"
import type { BertConfig } from "../model/config.js"
import { bertEncoder } from "../model/encoder.js"
import { NonFiniteOutput } from "../model/errors.js"
import { loadModelFolder } from "../model/modelFolder.js"
import { EVAL } from "../model/ops.js"
import type { BertParams } from "../model/params.js"
import { backendChoices } from "../runtime/TensorRuntime.js"
import { tf } from "../runtime/tf.js"
import type { TextEncoding } from "../text/encoding.js"
import { runtimeLayer } from "./common.js"

/** An input line longer than the model (or `--max-length`) takes, when truncation was not asked for. */
export class SentenceTooLong extends Data.TaggedError("SentenceTooLong")<{
  readonly file: string
  readonly line: number
  readonly subwords: number
  readonly limit: number
  readonly text: string
}> {
  override get message() {
    const shown = this.text.length > 60 ? `${this.text.slice(0, 60)}…` : this.text
    return (
      `${this.file}:${this.line}: ${this.subwords} subwords with [CLS]/[SEP], more than the model's ` +
      `max_position_embeddings ${this.limit} (pass --max-length to truncate): ${JSON.stringify(shown)}`
    )
  }
}

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

export interface EncodedSentence {
  readonly tokens: ReadonlyArray<string>
  readonly input_ids: ReadonlyArray<number>
  readonly hidden: ReadonlyArray<ReadonlyArray<number>>
}

/** A tokenized sentence through the encoder (eval mode); every tensor made is freed. */
export const encodeSentence = (
  params: BertParams,
  config: BertConfig,
  { tokens, inputIds }: TextEncoding
): EncodedSentence => {
  const hidden = tf.tidy(() => {
    const ids = tf.tensor2d([[...inputIds]], [1, inputIds.length], "int32")
    return bertEncoder(
      params,
      config,
      { inputIds: ids, attentionMask: tf.onesLike(ids) },
      EVAL
    ).arraySync()[0]!
  })
  return { tokens, input_ids: inputIds, hidden }
}

// made on demand: readline reads as soon as it exists, and lines read before iteration begins are lost
const stdinLines = Stream.suspend(() =>
  Stream.fromAsyncIterable(
    createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY }),
    (e) => new StdinError({ reason: String(e) })
  )
)

const model = Options.directory("model", { exists: "yes" }).pipe(
  Options.withDescription("HF-layout BERT folder: config.json, model.safetensors, vocab.txt")
)
const maxLength = Options.integer("max-length").pipe(
  Options.optional,
  Options.withDescription("truncate to N subwords with [CLS]/[SEP] (default: fail on longer sentences)")
)
const backend = Options.choice("backend", backendChoices).pipe(
  Options.optional,
  Options.withDescription("tensor backend (default: CONCNER_BACKEND, else the fastest available)")
)

export const encodeCommand = Command.make("encode", { model, maxLength, backend }, (flags) =>
  Effect.gen(function* () {
    const { config, params, report, tokenizer } = yield* loadModelFolder(flags.model)
    if (report.unused.length > 0)
      yield* Console.error(`${report.file}: not used by the encoder: ${report.unused.join(", ")}`)
    const limit = config.maxPositionEmbeddings
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
).pipe(Command.withDescription("Print subwords and last hidden states of sentences read from stdin"))
