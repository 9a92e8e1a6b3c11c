import type { Vocab } from "./vocab.js"

/** HF `WordpieceTokenizer.max_input_chars_per_word`: a longer word is `[UNK]` without trying. */
export const MAX_INPUT_CHARS_PER_WORD = 100

/** A subword of one word: its vocabulary entry and its code-point span `[start, end)` in the word. */
export interface Piece {
  readonly token: string
  readonly id: number
  readonly start: number
  readonly end: number
}

/**
 * The WordPiece split of one word: its pieces, or `[UNK]` because the word is too long or some
 * position has no match. `partial` holds the pieces matched before the failure: vocabulary trimming
 * keeps them so that the trimmed vocabulary fails on the same word instead of finding another path.
 */
export type WordPieces =
  | { readonly _tag: "Pieces"; readonly pieces: ReadonlyArray<Piece> }
  | {
      readonly _tag: "Unknown"
      readonly reason: "too-long" | "no-match"
      readonly partial: ReadonlyArray<Piece>
    }

/**
 * HF `WordpieceTokenizer.tokenize` for one word: greedy longest-match-first, continuations prefixed
 * with `##`, over code points (Python's `list(token)`), not UTF-16 units. Candidates longer than the
 * vocabulary's longest token are skipped: they cannot match, so the result is unchanged.
 */
export const wordPiece = (
  chars: ReadonlyArray<string>,
  vocab: Vocab,
  maxInputCharsPerWord = MAX_INPUT_CHARS_PER_WORD
): WordPieces => {
  if (chars.length > maxInputCharsPerWord) return { _tag: "Unknown", reason: "too-long", partial: [] }
  // candidates are slices of the word's string: at[i] is the UTF-16 offset of code point i
  const word = chars.join("")
  const at = [0]
  for (const c of chars) at.push(at[at.length - 1]! + c.length)
  const pieces: Array<Piece> = []
  let start = 0
  while (start < chars.length) {
    const prefix = start > 0 ? "##" : ""
    let end = Math.min(chars.length, start + vocab.maxTokenChars - prefix.length)
    let found: Piece | undefined
    while (start < end) {
      const token = prefix + word.slice(at[start], at[end])
      const id = vocab.id(token)
      if (id !== undefined) {
        found = { token, id, start, end }
        break
      }
      end--
    }
    if (found === undefined) return { _tag: "Unknown", reason: "no-match", partial: pieces }
    pieces.push(found)
    start = found.end
  }
  return { _tag: "Pieces", pieces }
}
