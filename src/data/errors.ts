/**
 * Failures of the data layer. Each carries what a user needs to fix the input: the file, the
 * 1-based line and the offending text. No reader guesses a label or drops a line instead.
 */
import { Data } from "effect"
import { type LineFields, lineMessage } from "./lineError.js"

/** A line the CoNLL reader cannot split into columns (one column, an index file with a non-integer, …). */
export class ConllFormatError extends Data.TaggedError("ConllFormatError")<LineFields> {
  override get message() {
    return lineMessage(this)
  }
}

/** A tag that is not `O`, `B-X`, `I-X`, `E-X` or `S-X`, or one the file's scheme does not allow (`E-X` in IOB2). */
export class ConllTagError extends Data.TaggedError("ConllTagError")<LineFields> {
  override get message() {
    return lineMessage(this)
  }
}

/** A label set that mixes schemes, e.g. IOB2-style chunks (`B-PER O`) in a file that uses `E-`/`S-`. */
export class ConllSchemeError extends Data.TaggedError("ConllSchemeError")<LineFields> {
  override get message() {
    return lineMessage(this)
  }
}

/** Any failure of `decodeConll`. */
export type ConllError = ConllFormatError | ConllTagError | ConllSchemeError

/** A companion index file (`*.doc_ids`, `*.src_idx`) that disagrees with its corpus. */
export class IndexFileError extends Data.TaggedError("IndexFileError")<LineFields> {
  override get message() {
    return lineMessage(this)
  }
}

/** A data file that is absent or unreadable. */
export class DataReadError extends Data.TaggedError("DataReadError")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: ${this.reason}`
  }
}

/** A corpus, language, split or translation set that concner does not know. */
export class UnknownDatasetError extends Data.TaggedError("UnknownDatasetError")<{
  readonly dataset: string
  readonly reason: string
}> {
  override get message() {
    return `${this.dataset}: ${this.reason}`
  }
}

/** A sample size outside 0..n. */
export class SampleSizeError extends Data.TaggedError("SampleSizeError")<{
  readonly dataset: string
  readonly k: number
  readonly available: number
}> {
  override get message() {
    return `${this.dataset}: cannot sample ${this.k} of ${this.available} sentences`
  }
}

/** A sentence `encodeConll` cannot write so that it reads back unchanged. */
export class ConllEncodeError extends Data.TaggedError("ConllEncodeError")<{
  readonly sentence: number
  readonly reason: string
}> {
  override get message() {
    return `sentence ${this.sentence}: ${this.reason}`
  }
}

/** A text file that is not valid UTF-8 (concner never reads a byte it cannot decode as U+FFFD). */
export class Utf8Error extends Data.TaggedError("Utf8Error")<{
  readonly file: string
  readonly line: number
  /** 1-based byte offset in the line where the invalid sequence starts. */
  readonly column: number
  readonly byte: number
}> {
  override get message() {
    return (
      `${this.file}:${this.line}: not valid UTF-8 (byte 0x${this.byte.toString(16).padStart(2, "0")} at byte ` +
      `${this.column} of the line): save the file as UTF-8`
    )
  }
}

/** The data root does not exist: every corpus is missing, so say where concner looked and how to point it elsewhere. */
/** A data folder with no dataset concner knows (a wrong --data, or files laid out differently). */
export class NoDatasets extends Data.TaggedError("NoDatasets")<{ readonly root: string }> {
  override get message() {
    return (
      `no dataset in ${this.root}: concner reads conll/{en,de,es,nl}/{train,dev,test}.txt, ` +
      "wikiann/{lang}/{train,dev,test}.txt and translations/conll2003-en-train/{mulda,deepl-awesome}/{lang}/train.txt " +
      'there (README, "Data"); point --data or CONCNER_DATA at the folder holding them'
    )
  }
}

export class DataRootMissing extends Data.TaggedError("DataRootMissing")<{ readonly root: string }> {
  override get message() {
    return (
      `no data folder at ${this.root}: concner reads data from --data DIR, else $CONCNER_DATA, else ../shared/data ` +
      "(relative to the working directory); point --data or CONCNER_DATA at the folder holding conll/ and wikiann/"
    )
  }
}
