/**
 * Errors of `src/model/`. Each failure is its own `Data.TaggedError` whose message names the file
 * (and the tensor) so a user can find what is wrong. Sections are owned by the modules named above them.
 */
import { Data } from "effect"
import { quoteExcerpt } from "../data/lineError.js"

// ── safetensors.ts ───────────────────────────────────────────────────────────────────────────────

const quote = (name: string) => JSON.stringify(name)

/** The file is shorter than the 8-byte length prefix, or its header length points past the file. */
export class SafetensorsHeaderLengthError extends Data.TaggedError("SafetensorsHeaderLengthError")<{
  readonly file: string
  readonly fileSize: number
  /** The declared header length (a u64, kept exact as a decimal string); undefined when unreadable. */
  readonly headerLength: string | undefined
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: ${this.reason}`
  }
}

/** The header is not UTF-8, not JSON, or not a JSON object. */
export class SafetensorsHeaderSyntaxError extends Data.TaggedError("SafetensorsHeaderSyntaxError")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: safetensors header ${this.reason}`
  }
}

/** A header entry (a tensor's info, or `__metadata__`) lacks a field or has one of the wrong type. */
export class SafetensorsEntryError extends Data.TaggedError("SafetensorsEntryError")<{
  readonly file: string
  readonly tensor: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: tensor ${quote(this.tensor)}: ${this.reason}`
  }
}

/** The header names a key twice (`JSON.parse` would silently keep the last one). */
export class SafetensorsDuplicateName extends Data.TaggedError("SafetensorsDuplicateName")<{
  readonly file: string
  readonly tensor: string
  /** Where the repeated key sits: `""` for a tensor name, else the entry holding it. */
  readonly within: string
}> {
  override get message() {
    return this.within === ""
      ? `${this.file}: tensor ${quote(this.tensor)} appears twice in the header`
      : `${this.file}: key ${quote(this.tensor)} appears twice in header entry ${quote(this.within)}`
  }
}

/** A dtype concner cannot read (unknown to the format, or one it does not convert, e.g. F8). */
export class SafetensorsUnknownDtype extends Data.TaggedError("SafetensorsUnknownDtype")<{
  readonly file: string
  readonly tensor: string
  readonly dtype: string
}> {
  override get message() {
    return `${this.file}: tensor ${quote(this.tensor)}: unsupported dtype ${quote(this.dtype)}`
  }
}

/** `data_offsets` leave a hole, overlap the previous tensor, run backwards or past the file's end. */
export class SafetensorsOffsetError extends Data.TaggedError("SafetensorsOffsetError")<{
  readonly file: string
  readonly tensor: string
  readonly begin: number
  readonly end: number
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: tensor ${quote(this.tensor)}: data_offsets [${this.begin}, ${this.end}] ${this.reason}`
  }
}

/** The byte range of a tensor does not hold `product(shape) × sizeof(dtype)` bytes. */
export class SafetensorsSizeMismatch extends Data.TaggedError("SafetensorsSizeMismatch")<{
  readonly file: string
  readonly tensor: string
  readonly dtype: string
  readonly shape: ReadonlyArray<number>
  readonly byteLength: number
  readonly expectedByteLength: number
}> {
  override get message() {
    return (
      `${this.file}: tensor ${quote(this.tensor)}: ${this.dtype}[${this.shape.join(", ")}] needs ` +
      `${this.expectedByteLength} bytes, data_offsets give ${this.byteLength}`
    )
  }
}

/** Bytes after the last tensor: the format requires the offsets to cover the data buffer exactly. */
export class SafetensorsTrailingBytes extends Data.TaggedError("SafetensorsTrailingBytes")<{
  readonly file: string
  readonly dataEnd: number
  readonly bufferLength: number
}> {
  override get message() {
    return (
      `${this.file}: ${this.bufferLength - this.dataEnd} trailing bytes after the last tensor ` +
      `(tensors end at ${this.dataEnd} of a ${this.bufferLength}-byte data buffer)`
    )
  }
}

/** A tensor handed to the writer cannot be stored as given. */
export class SafetensorsEncodeError extends Data.TaggedError("SafetensorsEncodeError")<{
  readonly tensor: string
  readonly reason: string
}> {
  override get message() {
    return `cannot write tensor ${quote(this.tensor)}: ${this.reason}`
  }
}

export type SafetensorsDecodeError =
  | SafetensorsHeaderLengthError
  | SafetensorsHeaderSyntaxError
  | SafetensorsEntryError
  | SafetensorsDuplicateName
  | SafetensorsUnknownDtype
  | SafetensorsOffsetError
  | SafetensorsSizeMismatch
  | SafetensorsTrailingBytes

// ── checkpoint.ts ────────────────────────────────────────────────────────────────────────────────

/** One tensor whose shape in the file differs from what config.json implies. */
export interface ShapeMismatch {
  readonly name: string
  readonly expected: ReadonlyArray<number>
  readonly actual: ReadonlyArray<number>
}

const listed = (what: string, names: ReadonlyArray<string>) =>
  names.length === 0
    ? []
    : [`${names.length} ${what}: ${names.slice(0, 8).join(", ")}${names.length > 8 ? ", …" : ""}`]

/** The checkpoint's tensors disagree with its config.json (missing, unexpected, wrong shape or dtype). */
export class CheckpointMismatch extends Data.TaggedError("CheckpointMismatch")<{
  readonly file: string
  readonly missing: ReadonlyArray<string>
  readonly unexpected: ReadonlyArray<string>
  readonly shapes: ReadonlyArray<ShapeMismatch>
  /** Tensors whose dtype is not a float type (`name: dtype`). */
  readonly dtypes: ReadonlyArray<string>
}> {
  override get message() {
    const parts = [
      ...listed("missing", this.missing),
      ...listed("unexpected", this.unexpected),
      ...listed(
        "with the wrong shape",
        this.shapes.map((s) => `${s.name} [${s.actual.join(", ")}] (expected [${s.expected.join(", ")}])`)
      ),
      ...listed("with a non-float dtype", this.dtypes)
    ]
    return `${this.file}: checkpoint does not match config.json: ${parts.join("; ")}`
  }
}

/** Two tensors of a file map to the same parameter (e.g. `bert.x` and `x`, or `gamma` and `weight`). */
export class CheckpointNameCollision extends Data.TaggedError("CheckpointNameCollision")<{
  readonly file: string
  readonly param: string
  readonly tensors: ReadonlyArray<string>
}> {
  override get message() {
    return `${this.file}: tensors ${this.tensors.map(quote).join(" and ")} both give parameter ${quote(this.param)}`
  }
}

/** The checkpoint's classifier was trained for other labels than the ones asked for. */
export class CheckpointLabelsMismatch extends Data.TaggedError("CheckpointLabelsMismatch")<{
  readonly file: string
  readonly checkpointLabels: ReadonlyArray<string>
  readonly requestedLabels: ReadonlyArray<string>
}> {
  override get message() {
    return (
      `${this.file}: the classifier is for labels [${this.checkpointLabels.join(", ")}], ` +
      `not the requested [${this.requestedLabels.join(", ")}]`
    )
  }
}

/** A vocabulary that `BertTokenizer` would not read back as given (vocab.txt is one token per line). */
export class InvalidVocabulary extends Data.TaggedError("InvalidVocabulary")<{
  readonly file: string
  /** 1-based line of the offending token; undefined when a required token is absent. */
  readonly line: number | undefined
  readonly token: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}${this.line === undefined ? "" : `:${this.line}`}: token ${quoteExcerpt(this.token)}: ${this.reason}`
  }
}

/** A weight is NaN or ±Infinity: every output it touches would be NaN, so nothing is run with it. */
export class NonFiniteWeight extends Data.TaggedError("NonFiniteWeight")<{
  readonly file: string
  readonly tensor: string
  /** Where the first bad value sits, one index per dimension. */
  readonly index: ReadonlyArray<number>
  readonly value: number
}> {
  override get message() {
    return `${this.file}: tensor ${quote(this.tensor)} holds ${this.value} at [${this.index.join(", ")}]: the weights are corrupt (every weight must be finite)`
  }
}

/** vocab.txt holds more tokens than config.json's embedding has rows: ids past the end would be looked up. */
export class VocabLargerThanModel extends Data.TaggedError("VocabLargerThanModel")<{
  readonly file: string
  readonly tokens: number
  readonly vocabSize: number
}> {
  override get message() {
    return (
      `${this.file}: ${this.tokens} tokens, but config.json's vocab_size is ${this.vocabSize}: ` +
      "the tokenizer would produce ids the model has no embedding for (the vocabulary may be shorter, never longer)"
    )
  }
}

/** The model computed NaN or ±Infinity from finite weights (overflow): no output is printed from it. */
export class NonFiniteOutput extends Data.TaggedError("NonFiniteOutput")<{
  /** Where the input came from (`FILE:LINE`, or a sentence index). */
  readonly where: string
  readonly what: string
}> {
  override get message() {
    return `${this.where}: the model's ${this.what} are not finite (NaN or Infinity): the weights overflow on this input`
  }
}

/** A model folder whose tokenizer is not its architecture's (an XLM-R config beside a vocab.txt…). */
export class TokenizerModelMismatch extends Data.TaggedError("TokenizerModelMismatch")<{
  readonly dir: string
  readonly modelType: string
  readonly found: string
  readonly wanted: string
}> {
  override get message() {
    return `${this.dir}: config.json's model_type is ${JSON.stringify(this.modelType)}, which needs ${this.wanted}, but the folder has ${this.found}`
  }
}
