import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { Vocab } from "../../src/text/vocab.js"
import { MAX_INPUT_CHARS_PER_WORD, type WordPieces, wordPiece } from "../../src/text/wordpiece.js"
import { numRuns, seed, smallVocabs, tinyVocab } from "./fixture.js"

const pieces = (word: string, vocab = tinyVocab) => {
  const r = wordPiece([...word], vocab)
  return r._tag === "Pieces" ? r.pieces.map((p) => p.token) : "[UNK]"
}

/** HF's loop, written plainly: every end from the word's end down, strings built by slicing code points. */
const naive = (word: ReadonlyArray<string>, vocab: Vocab): Array<string> | "[UNK]" => {
  if (word.length > 100) return "[UNK]"
  const out: Array<string> = []
  let start = 0
  while (start < word.length) {
    let match: string | undefined
    let end = word.length
    for (; end > start; end--) {
      const candidate = (start > 0 ? "##" : "") + word.slice(start, end).join("")
      if (vocab.tokens.includes(candidate)) {
        match = candidate
        break
      }
    }
    if (match === undefined) return "[UNK]"
    out.push(match)
    start = end
  }
  return out
}

describe("wordPiece", () => {
  it("splits greedily, longest match first, with ## continuations", () => {
    expect(pieces("unaffable")).toEqual(["un", "##aff", "##able"])
    expect(pieces("abc")).toEqual(["abc"])
    expect(pieces("abcab")).toEqual(["abc", "##ab"])
    expect(pieces("running")).toEqual(["run", "##ning"])
    expect(pieces("Kölns")).toEqual(["Köln", "##s"])
  })

  it("gives [UNK] when some position has no match, and reports the pieces matched before", () => {
    expect(pieces("abz")).toBe("[UNK]")
    const r = wordPiece([..."abcz"], tinyVocab)
    expect(r).toMatchObject({ _tag: "Unknown", reason: "no-match" })
    expect((r as Extract<WordPieces, { _tag: "Unknown" }>).partial.map((p) => p.token)).toEqual(["abc"])
  })

  it("gives [UNK] for a word over 100 code points, even one the vocabulary could split", () => {
    expect(MAX_INPUT_CHARS_PER_WORD).toBe(100)
    expect(pieces("x".repeat(100))).toEqual(["xxx", ...new Array(48).fill("##xx"), "##x"])
    expect(wordPiece([..."x".repeat(101)], tinyVocab)).toEqual({
      _tag: "Unknown",
      reason: "too-long",
      partial: []
    })
    // counted in code points: 100 emoji are 200 UTF-16 units but not too long
    expect(pieces("😀".repeat(100))).toHaveLength(100)
  })

  it("spans are code-point indices into the word", () => {
    const r = wordPiece([..."😀😀x"], tinyVocab)
    expect(r).toEqual({
      _tag: "Pieces",
      pieces: [
        { token: "😀", id: tinyVocab.id("😀"), start: 0, end: 1 },
        { token: "##😀", id: tinyVocab.id("##😀"), start: 1, end: 2 },
        { token: "##x", id: tinyVocab.id("##x"), start: 2, end: 3 }
      ]
    })
  })

  it("matches the vocabulary's longest tokens, first and as continuations", () => {
    const make = (tokens: Array<string>) =>
      Either.getOrThrow(Vocab.make(["[PAD]", "[UNK]", "[CLS]", "[SEP]", ...tokens], "v"))
    expect(pieces("abcd", make(["abcd", "a", "##b"]))).toEqual(["abcd"])
    expect(pieces("abcd", make(["a", "##bcd", "##b"]))).toEqual(["a", "##bcd"])
  })

  it("uses the id of a duplicated token's last line", () => {
    const r = wordPiece(["e"], tinyVocab)
    expect(r._tag === "Pieces" && r.pieces[0]!.id).toBe(63)
  })

  const alphabet = ["a", "b", "c", "d", "e", "x", "ö", "😀", "z"]
  // words of random characters, or glued from the vocabulary's own entries (so long matches happen)
  const cases = smallVocabs(alphabet).chain((vocab) =>
    fc.tuple(
      fc.constant(vocab),
      fc.oneof(
        fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 12 }),
        fc
          .array(fc.constantFrom("a", ...vocab.tokens.slice(4).map((t) => t.replace(/^##/, ""))), {
            minLength: 1,
            maxLength: 4
          })
          .map((parts) => [...parts.join("")])
      )
    )
  )

  it.prop(
    "agrees with the naive reference, and pieces concatenate back to the word",
    [cases],
    ([[vocab, word]]) => {
      const r = wordPiece(word, vocab)
      const got = r._tag === "Pieces" ? r.pieces.map((p) => p.token) : "[UNK]"
      expect(got).toEqual(naive(word, vocab))
      if (r._tag === "Pieces") {
        expect(r.pieces.map((p) => p.token.replace(/^##/, "")).join("")).toBe(word.join(""))
        for (const p of r.pieces) expect(vocab.tokens[p.id]).toBe(p.token)
      }
    },
    { fastCheck: { numRuns: numRuns * 5, seed } }
  )
})
