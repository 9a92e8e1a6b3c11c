import { isChineseChar, isPunctuation, isRemoved, splitsWords } from "./chars.js"

/**
 * A token of the basic (pre-WordPiece) tokenizer: its code points, and for each the UTF-16 offset in
 * the input string it came from (so every subword can be traced back to the input).
 */
export interface BasicToken {
  readonly text: string
  readonly chars: ReadonlyArray<string>
  readonly offsets: ReadonlyArray<number>
}

const none: ReadonlySet<string> = new Set()

/**
 * HF BERT `BasicTokenizer.tokenize` in mBERT-cased mode (`do_lower_case=False`, so no lowercasing and no
 * accent stripping; `tokenize_chinese_chars=True`), as one pass instead of HF's clean → space out CJK →
 * split on whitespace → split on punctuation → split again. The result is the same: control characters
 * vanish without separating words, each CJK ideograph and each punctuation character is a token, and a
 * whitespace-delimited token found in `neverSplit` is kept whole.
 * `base` is added to every offset (for text cut out of a longer string).
 */
export const basicTokenize = (
  text: string,
  neverSplit: ReadonlySet<string> = none,
  base = 0
): Array<BasicToken> => {
  const out: Array<BasicToken> = []
  // the current whitespace-delimited token (no closures here: this loop is the tokenizer's hot path)
  let chars: Array<string> = []
  let offsets: Array<number> = []
  let at = base
  for (const c of text) {
    const offset = at
    at += c.length
    if (isRemoved(c)) continue
    if (splitsWords(c) || isChineseChar(c.codePointAt(0)!)) {
      if (chars.length > 0) {
        finishToken(chars, offsets, neverSplit, out)
        chars = []
        offsets = []
      }
      if (!splitsWords(c)) out.push({ text: c, chars: [c], offsets: [offset] }) // a CJK ideograph
    } else {
      chars.push(c)
      offsets.push(offset)
    }
  }
  if (chars.length > 0) finishToken(chars, offsets, neverSplit, out)
  return out
}

// a whitespace-delimited token is complete: keep it whole (never-split) or split it on punctuation
const finishToken = (
  chars: Array<string>,
  offsets: Array<number>,
  neverSplit: ReadonlySet<string>,
  out: Array<BasicToken>
) => {
  if (neverSplit.size > 0) {
    const text = chars.join("")
    if (neverSplit.has(text)) {
      out.push({ text, chars, offsets })
      return
    }
  }
  splitOnPunctuation(chars, offsets, out)
}

/** HF `_run_split_on_punc`: every punctuation character is its own token; runs of others stay together. */
const splitOnPunctuation = (chars: Array<string>, offsets: Array<number>, out: Array<BasicToken>) => {
  let start = 0
  for (let i = 0; i < chars.length; i++) {
    if (isPunctuation(chars[i]!)) {
      if (i > start) emit(chars, offsets, start, i, out)
      emit(chars, offsets, i, i + 1, out)
      start = i + 1
    }
  }
  if (start === 0) out.push({ text: chars.join(""), chars, offsets })
  else if (chars.length > start) emit(chars, offsets, start, chars.length, out)
}

const emit = (
  chars: Array<string>,
  offsets: Array<number>,
  start: number,
  end: number,
  out: Array<BasicToken>
) => {
  const part = chars.slice(start, end)
  out.push({ text: part.join(""), chars: part, offsets: offsets.slice(start, end) })
}
