/** Failures of labeled-sequence translation: each says what to fix (a file line, an engine, a pair). */
import { Data } from "effect"
import { type LineFields, lineMessage } from "../data/lineError.js"

/** A dictionary line that is not `ENGLISH TARGET`. */
export class DictionaryFormatError extends Data.TaggedError("DictionaryFormatError")<LineFields> {
  override get message() {
    return lineMessage(this)
  }
}

/** An external engine that could not run, or exited with a failure. */
export class EngineError extends Data.TaggedError("EngineError")<{
  readonly engine: string
  readonly reason: string
}> {
  override get message() {
    return `translation engine ${this.engine}: ${this.reason}`
  }
}

/**
 * An engine that broke the line protocol (one output line per input line). Line alignment is then
 * lost for the whole batch, so nothing can be attributed to a sentence: the run fails.
 */
export class EngineOutputError extends Data.TaggedError("EngineOutputError")<{
  readonly engine: string
  readonly expected: number
  readonly got: number
}> {
  override get message() {
    return `translation engine ${this.engine}: ${this.got} output lines for ${this.expected} input lines (the line protocol needs one per line)`
  }
}

/** A language pair the engine does not have (with what it has, and how to get more). */
export class UnsupportedPairError extends Data.TaggedError("UnsupportedPairError")<{
  readonly engine: string
  readonly from: string
  readonly to: string
  readonly reason: string
}> {
  override get message() {
    return `translation engine ${this.engine}: no ${this.from}→${this.to} pair: ${this.reason}`
  }
}
