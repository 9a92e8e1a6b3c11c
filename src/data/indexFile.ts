/** Companion files with one integer per sentence: `*.doc_ids` and `train.src_idx`. */
import { Either } from "effect"
import { IndexFileError } from "./errors.js"

/**
 * Parses one integer ≥ `min` per line (LF or CRLF, final newline optional) and checks that there
 * is exactly one per sentence.
 */
export const decodeIndexFile = (
  text: string,
  file: string,
  expected: number,
  min: number
): Either.Either<Array<number>, IndexFileError> => {
  const lines = text.split("\n")
  if (lines[lines.length - 1] === "") lines.pop()
  const values: Array<number> = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, "")
    const value = /^-?\d+$/.test(line) ? Number(line) : Number.NaN
    // beyond 2^53 an integer is not held exactly: a corrupt line, not an index
    if (!(value >= min && Number.isSafeInteger(value))) {
      return Either.left(
        new IndexFileError({ file, line: i + 1, text: line, reason: `expected an integer ≥ ${min}` })
      )
    }
    values.push(value)
  }
  if (values.length !== expected) {
    const line = Math.min(values.length, expected) + 1
    return Either.left(
      new IndexFileError({
        file,
        line,
        text: lines[line - 1] ?? "",
        reason: `${values.length} lines for ${expected} sentences`
      })
    )
  }
  return Either.right(values)
}
