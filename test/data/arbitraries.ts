/** fast-check arbitraries shared by the data tests. */
import { FastCheck as fc } from "effect"
import type { Span } from "../../src/data/scheme.js"

export const propOptions = (seed: number) => ({
  fastCheck: { numRuns: Number(process.env.CONCNER_PROP_RUNS ?? 100), seed }
})

export const entityType = fc.constantFrom("PER", "LOC", "ORG", "MISC")

/** Any IOB2 sequence, invalid transitions (`O I-PER`, `B-PER I-LOC`) included. */
export const iob2Tags = (minLength = 0, maxLength = 12) =>
  fc.array(
    fc.oneof(
      { weight: 2, arbitrary: fc.constant("O") },
      { weight: 1, arbitrary: entityType.map((t) => `B-${t}`) },
      { weight: 1, arbitrary: entityType.map((t) => `I-${t}`) }
    ),
    { minLength, maxLength }
  )

/** Non-overlapping spans over `length` tokens, with the length. */
export const spansWithLength = fc
  .array(fc.tuple(fc.nat(3), fc.integer({ min: 1, max: 3 }), entityType), { maxLength: 5 })
  .chain(([...parts]) => {
    const spans: Array<Span> = []
    let at = 0
    for (const [gap, size, type] of parts) {
      spans.push({ type, start: at + gap, end: at + gap + size })
      at += gap + size
    }
    return fc.nat(3).map((tail) => ({ spans, length: at + tail }))
  })

// Characters a token may hold: anything but ASCII space, tab, CR, LF; the zero-width ones and the BOM
// character (which `\s` would wrongly split on) deliberately often.
const tokenChar = fc.oneof(
  fc.constantFrom("\ufeff", "\u200b", "\u200c", "\u200d", "\u00a0", "-", ".", "'", "#", "\u3000"),
  fc.constantFrom("a", "Z", "é", "ß", "中", "ت", "😀", "0", "9", "O", "B", "I")
)

export const token = fc
  .array(tokenChar, { minLength: 1, maxLength: 6 })
  .map((cs) => cs.join(""))
  .filter((t) => t !== "-DOCSTART-")

/** A sentence's tokens and IOB2 tags. */
export const taggedTokens = fc
  .integer({ min: 1, max: 8 })
  .chain((n) => fc.tuple(fc.array(token, { minLength: n, maxLength: n }), iob2Tags(n, n)))
  .map(([tokens, tags]) => ({ tokens, tags }))
