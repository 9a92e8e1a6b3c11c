import { Data } from "effect"
import { quoteExcerpt } from "../data/lineError.js"

/** vocab.txt has no tokens at all. */
export class EmptyVocab extends Data.TaggedError("EmptyVocab")<{
  readonly file: string
}> {
  override get message() {
    return `${this.file}: the vocabulary is empty`
  }
}

/** One of the tokens BERT cannot work without ([UNK], [CLS], [SEP], [PAD]) is not in the vocabulary. */
export class MissingSpecialToken extends Data.TaggedError("MissingSpecialToken")<{
  readonly file: string
  readonly token: string
}> {
  override get message() {
    return `${this.file}: the vocabulary has no ${this.token} token (BERT needs [UNK], [CLS], [SEP] and [PAD])`
  }
}

/** A line of vocab.txt is not valid UTF-8 (HF's reader would raise UnicodeDecodeError). */
export class VocabEncodingError extends Data.TaggedError("VocabEncodingError")<{
  readonly file: string
  readonly line: number // 1-based
}> {
  override get message() {
    return `${this.file}:${this.line}: not valid UTF-8`
  }
}

/** A token given to `makeVocab` that vocab.txt could not hold (a line break would split it in two). */
export class InvalidVocabToken extends Data.TaggedError("InvalidVocabToken")<{
  readonly file: string
  readonly line: number // 1-based: the line the token would occupy
  readonly token: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}:${this.line}: ${quoteExcerpt(this.token)}: ${this.reason}`
  }
}

/** tokenizer_config.json asks for behaviour this tokenizer does not implement (it is mBERT-cased only). */
export class UnsupportedTokenizerConfig extends Data.TaggedError("UnsupportedTokenizerConfig")<{
  readonly file: string
  readonly option: string
  readonly value: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: ${this.option}=${this.value}: ${this.reason}`
  }
}

/** A sentence's tag is not one of the label set given to `encodeCorpus`. */
export class UnknownTag extends Data.TaggedError("UnknownTag")<{
  readonly line: number // 1-based line of the sentence in its file (0 when unknown)
  readonly word: string
  readonly tag: string
}> {
  override get message() {
    return `${this.line}: word ${quoteExcerpt(this.word)} has tag ${quoteExcerpt(this.tag)}, which is not in the label set`
  }
}

/** A sentence whose word and tag counts differ. */
export class TagCountMismatch extends Data.TaggedError("TagCountMismatch")<{
  readonly line: number
  readonly words: number
  readonly tags: number
}> {
  override get message() {
    return `${this.line}: ${this.words} words but ${this.tags} tags`
  }
}

/** tokenizer_config.json is not JSON, or a field has the wrong type. */
export class InvalidTokenizerConfig extends Data.TaggedError("InvalidTokenizerConfig")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: ${this.reason}`
  }
}

/** A SentencePiece model file (`sentencepiece.bpe.model`) that is not a usable ModelProto. */
export class InvalidSentencePieceModel extends Data.TaggedError("InvalidSentencePieceModel")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: not a usable SentencePiece model: ${this.reason}`
  }
}

/** A model folder with neither tokenizer concner reads. */
export class MissingTokenizerFile extends Data.TaggedError("MissingTokenizerFile")<{
  readonly dir: string
  readonly wanted: string
}> {
  override get message() {
    return `${this.dir}: no tokenizer: ${this.wanted}`
  }
}
