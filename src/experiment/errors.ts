import { Data } from "effect"

/** A method needs labeled translations that its translation source cannot give for this corpus/language. */
export class TranslationsUnavailable extends Data.TaggedError("TranslationsUnavailable")<{
  readonly method: string
  readonly corpus: string
  readonly lang: string
  /** What is missing (see `translationsUnavailable`). */
  readonly reason: string
}> {
  override get message() {
    return `${this.method} needs labeled translations into ${this.lang} (${this.corpus}): ${this.reason}`
  }
}

/** A sentence could not be encoded (a tag outside the label set, words and tags disagreeing). */
export class EncodingFailed extends Data.TaggedError("EncodingFailed")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: ${this.reason}`
  }
}

/** A run directory that cannot be resumed (no state yet, or from another spec). */
export class NotResumable extends Data.TaggedError("NotResumable")<{
  readonly dir: string
  readonly reason: string
}> {
  override get message() {
    return `${this.dir}: cannot resume: ${this.reason}`
  }
}

/** A `spec.json` given to `train --spec` that cannot be read, decoded, or whose hash disagrees. */
export class SpecFileInvalid extends Data.TaggedError("SpecFileInvalid")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: ${this.reason}`
  }
}
