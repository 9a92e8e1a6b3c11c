/**
 * BERT's character classes, mirroring HuggingFace's slow tokenizer (`tokenization_utils.py`:
 * `_is_control`, `_is_whitespace`, `_is_punctuation`; `tokenization_bert.py`: `_is_chinese_char`).
 * Python's `unicodedata.category` is replaced by JS Unicode property escapes; both follow the Unicode
 * database, but of different versions (CPython 3.11: Unicode 14; Node 20: the ICU's, 15+), so a code
 * point assigned after Unicode 14 is `Cn` (removed as "control") in HF but a letter here.
 * Each function takes one code point as a string.
 */

// HF: `unicodedata.category(char).startswith("C")` → Cc, Cf, Cs, Co, Cn. So format characters such as
// U+200B ZERO WIDTH SPACE, U+200C/U+200D (ZWNJ/ZWJ) and U+FEFF are *removed*, not treated as spaces:
// "a\u200Bb" is the single word "ab".
const OTHER = /^\p{C}$/u
const SPACE_SEPARATOR = /^\p{Zs}$/u
const PUNCTUATION = /^\p{P}$/u

/** HF `_is_control`: category C*, except \t \n \r, which are whitespace. */
export const isControl = (c: string): boolean => {
  const cp = c.codePointAt(0)!
  // ASCII fast path (the regex is the slow part on Latin text): C0 controls and DEL
  if (cp < 0x80) return (cp < 0x20 && cp !== 9 && cp !== 10 && cp !== 13) || cp === 0x7f
  return OTHER.test(c)
}

/** HF `_is_whitespace`: space, \t, \n, \r, or category Zs. */
export const isWhitespace = (c: string): boolean =>
  c === " " ||
  c === "\t" ||
  c === "\n" ||
  c === "\r" ||
  (c.codePointAt(0)! >= 0x80 && SPACE_SEPARATOR.test(c))

/**
 * Where HF's `whitespace_tokenize` (Python `str.split()`) splits *after* `_clean_text`: the cleaned
 * whitespace, plus U+2028/U+2029 (categories Zl/Zp), which `_clean_text` keeps but `str.split()` splits
 * on. (Python's other split characters — \x0b \x0c \x1c-\x1f \x85 — are Cc and already removed.)
 */
export const splitsWords = (c: string): boolean => isWhitespace(c) || c === "\u2028" || c === "\u2029"

/** HF `_is_punctuation`: all non-alphanumeric printable ASCII, or category P*. */
export const isPunctuation = (c: string): boolean => {
  const cp = c.codePointAt(0)!
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126))
    return true
  return cp >= 0x80 && PUNCTUATION.test(c)
}

/** HF `_is_chinese_char`: the CJK Unified Ideographs blocks (not Hangul, Hiragana or Katakana). */
export const isChineseChar = (cp: number): boolean =>
  (cp >= 0x4e00 && cp <= 0x9fff) ||
  (cp >= 0x3400 && cp <= 0x4dbf) ||
  (cp >= 0x20000 && cp <= 0x2a6df) ||
  (cp >= 0x2a700 && cp <= 0x2b73f) ||
  (cp >= 0x2b740 && cp <= 0x2b81f) ||
  (cp >= 0x2b820 && cp <= 0x2ceaf) ||
  (cp >= 0xf900 && cp <= 0xfaff) ||
  (cp >= 0x2f800 && cp <= 0x2fa1f)

/** Removed by HF `_clean_text`: NUL, U+FFFD and every control character. */
export const isRemoved = (c: string): boolean => {
  const cp = c.codePointAt(0)!
  return cp === 0 || cp === 0xfffd || isControl(c)
}
