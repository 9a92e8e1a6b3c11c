/**
 * Reads conlleval input: one token per line as whitespace-separated columns whose second-to-last
 * is the gold tag and last the predicted tag; a blank line (or one whose first column is `-X-`)
 * separates sentences. Columns are split at runs of ASCII space/tab only, never `\s`, because
 * tokens may contain U+FEFF or U+200B. Like conlleval.pl, every non-blank line must have as many
 * columns as the first one; a CRLF line end and a leading BOM are accepted.
 */
import { Effect } from "effect"
import type { EvalToken } from "./conlleval.js"
import { EvalColumnCountMismatch, EvalTooFewColumns } from "./errors.js"
import type { EvalInputError } from "./errors.js"

/** A token of conlleval input with its 1-based line number. */
export interface EvalRow extends EvalToken {
  readonly line: number
}

/** A decoded file: its sentences and whether a boundary line follows the last token. */
export interface ConllevalInput {
  readonly sentences: ReadonlyArray<ReadonlyArray<EvalRow>>
  readonly finalBoundary: boolean
}

const columnsOf = (line: string): ReadonlyArray<string> => {
  const trimmed = line.replace(/^[ \t]+|[ \t]+$/g, "")
  return trimmed === "" ? [] : trimmed.split(/[ \t]+/)
}

/** Decodes conlleval input text; `file` names the source in errors. */
export const decodeConlleval = (text: string, file: string): Effect.Effect<ConllevalInput, EvalInputError> =>
  Effect.suspend((): Effect.Effect<ConllevalInput, EvalInputError> => {
    const lines = text.replace(/^\uFEFF/, "").split("\n")
    // a final newline ends the last line; it does not open an empty one
    if (lines.at(-1) === "") lines.pop()
    const sentences: Array<ReadonlyArray<EvalRow>> = []
    let sentence: Array<EvalRow> = []
    let expected: number | undefined
    let finalBoundary = false
    for (const [index, raw] of lines.entries()) {
      const line = index + 1
      const content = raw.endsWith("\r") ? raw.slice(0, -1) : raw
      const columns = columnsOf(content)
      if (columns.length > 0) {
        if (expected === undefined) expected = columns.length
        else if (columns.length !== expected) {
          return Effect.fail(
            new EvalColumnCountMismatch({ file, line, text: content, expected, found: columns.length })
          )
        }
      }
      if (columns.length === 0 || columns[0] === "-X-") {
        if (sentence.length > 0) sentences.push(sentence)
        sentence = []
        finalBoundary = true
        continue
      }
      if (columns.length < 2) {
        return Effect.fail(new EvalTooFewColumns({ file, line, text: content, columns: columns.length }))
      }
      sentence.push({ line, gold: columns.at(-2)!, predicted: columns.at(-1)! })
      finalBoundary = false
    }
    if (sentence.length > 0) sentences.push(sentence)
    return Effect.succeed({ sentences, finalBoundary })
  })
