/**
 * One raw sentence through the encoder in eval mode: its subwords with [CLS]/[SEP], their ids and
 * the last hidden states (what HF's `BertModel` returns) — `concner encode`'s JSON line.
 */
import { Data } from "effect"
import { tf } from "../runtime/tf.js"
import type { TextEncoding } from "../text/encoding.js"
import type { BertConfig } from "./config.js"
import { bertEncoder } from "./encoder.js"
import { EVAL } from "./ops.js"
import type { BertParams } from "./params.js"

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
