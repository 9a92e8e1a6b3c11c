/**
 * Failures of conlleval input: each names the file, the 1-based line and the offending text, so a
 * bad prediction file is reported as `file:line: reason` and nothing is guessed.
 */
import { Data } from "effect"
import { quoteExcerpt } from "../data/lineError.js"

/** A non-blank line with fewer than two columns (conlleval needs a gold and a predicted tag). */
export class EvalTooFewColumns extends Data.TaggedError("EvalTooFewColumns")<{
  readonly file: string
  readonly line: number
  readonly text: string
  readonly columns: number
}> {
  override get message() {
    return `${this.file}:${this.line}: expected at least 2 columns (… gold predicted), found ${this.columns}: ${quoteExcerpt(this.text)}`
  }
}

/** A line whose column count differs from the first line's (conlleval.pl exits on this too). */
export class EvalColumnCountMismatch extends Data.TaggedError("EvalColumnCountMismatch")<{
  readonly file: string
  readonly line: number
  readonly text: string
  readonly expected: number
  readonly found: number
}> {
  override get message() {
    return `${this.file}:${this.line}: expected ${this.expected} columns like the first line, found ${this.found}: ${quoteExcerpt(this.text)}`
  }
}

export type EvalInputError = EvalTooFewColumns | EvalColumnCountMismatch
