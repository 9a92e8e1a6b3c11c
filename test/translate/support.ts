/** Shared helpers for the translate tests: labeled sentences and the identity "engine". */
import { FastCheck as fc } from "effect"
import type { Sentence } from "../../src/data/conll.js"
import { spansToIob2 } from "../../src/data/scheme.js"
import { spansWithLength, token } from "../data/arbitraries.js"

export { propOptions } from "../data/arbitraries.js"

export const sentence = (line: string, index = 0): { index: number; sentence: Sentence } => {
  const pairs = line.split(" ").map((p) => p.split("/"))
  return {
    index,
    sentence: { tokens: pairs.map((p) => p[0]!), tags: pairs.map((p) => p[1] ?? "O"), line: 1 }
  }
}

// Tokens with markup characters and references in them, beside the data layer's awkward ones.
// Tokens that look like placeholders (`ZXA`) are left out: placeholder mode rejects them (documented).
const markupToken = fc.constantFrom(
  "<",
  ">",
  "&",
  "&amp;",
  '"',
  "'",
  "<span>",
  "&#32;",
  "a&lt;b",
  "</span>",
  "\u00a0x"
)

/** A sentence with valid IOB2 tags (spans written by `spansToIob2`) over awkward tokens. */
export const labeledSentence = spansWithLength
  .filter(({ length }) => length > 0)
  .chain(({ spans, length }) =>
    fc
      .array(fc.oneof(token, markupToken), { minLength: length, maxLength: length })
      .map((tokens): Sentence => ({ tokens, tags: spansToIob2(spans, length), line: 1 }))
  )
  .filter((s) => s.tokens.every((t) => !/^ZX[A-Z]+$/.test(t)))
