import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { BertTokenizer } from "../../src/text/bertTokenizer.js"
import { trimVocabulary } from "../../src/text/trimVocabulary.js"
import { Vocab } from "../../src/text/vocab.js"
import { numRuns, seed, tinyVocab } from "./fixture.js"

const subwords = (vocab: Vocab, words: ReadonlyArray<string>) =>
  words.map((w) => new BertTokenizer(vocab).tokenize(w).map((s) => s.token))

describe("trimVocabulary", () => {
  it("keeps the special tokens and the subwords the corpora use, in their old order", () => {
    const { vocab, oldToNew, keptOldIds } = trimVocabulary(tinyVocab, [
      [["unaffable", "Köln"]],
      [["e", "zzz"]]
    ])
    expect(vocab.tokens).toEqual([
      "[PAD]",
      "[UNK]",
      "[CLS]",
      "[SEP]",
      "[MASK]",
      "un",
      "##aff",
      "##able",
      "Köln",
      "e"
    ])
    expect(Array.from(keptOldIds)).toEqual(vocab.tokens.map((t) => tinyVocab.id(t)))
    // the duplicated "e" keeps the id HF uses for it: the last one (63)
    expect(oldToNew[63]).toBe(9)
    expect(oldToNew[28]).toBe(-1)
    keptOldIds.forEach((old, i) => expect(oldToNew[old]).toBe(i))
    expect(Array.from(oldToNew).filter((i) => i >= 0)).toHaveLength(vocab.size)
    expect([vocab.padId, vocab.unkId, vocab.clsId, vocab.sepId]).toEqual([0, 1, 2, 3])
  })

  it("keeps the pieces of a word WordPiece gave up on, so that it stays [UNK]", () => {
    // vocabulary where "ab" then "##c" fails, but "a" + "##bc" would succeed
    const full = Either.getOrThrow(Vocab.make(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "ab", "a", "##bc"], "v"))
    expect(subwords(full, ["abc"])).toEqual([["[UNK]"]])
    const { vocab } = trimVocabulary(full, [[["abc", "a"]]])
    expect(vocab.tokens).toEqual(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "ab", "a"])
    expect(subwords(vocab, ["abc"])).toEqual([["[UNK]"]])
  })

  it("keeps every single-character token on request", () => {
    const { vocab } = trimVocabulary(tinyVocab, [], { keepSingleCharacters: true })
    for (const t of ["a", "##a", "中", "😀", "##😀", "é", "##é", ".", "x", "##x"])
      expect(vocab.tokens).toContain(t)
    for (const t of ["ab", "##bc", "xx", "[unused1]"]) expect(vocab.tokens).not.toContain(t)
    // the earlier duplicate of "e" is not kept: it is unreachable
    expect(vocab.tokens.filter((t) => t === "e")).toHaveLength(1)
  })

  const word = fc.oneof(
    fc.constantFrom(
      "unaffable",
      "abcz",
      "abcab",
      "Köln",
      "Münchens",
      "中国人",
      "a.b",
      "zzz",
      "x".repeat(120),
      "[SEP]"
    ),
    fc.array(fc.constantFrom(..."abcdexöüé😀中.,zq"), { maxLength: 10 }).map((cs) => cs.join(""))
  )
  const corpora = fc.array(fc.array(fc.array(word, { maxLength: 6 }), { maxLength: 4 }), {
    minLength: 1,
    maxLength: 3
  })
  // dense random vocabularies over two letters make paths that fail in one vocabulary and not the other
  const pieces = ["a", "b", "aa", "ab", "ba", "bb", "aab", "aba", "abb", "baa", "bab", "bba"]
  const denseVocabs = fc
    .subarray([...pieces, ...pieces.map((p) => `##${p}`)])
    .map((tokens) =>
      Either.getOrThrow(Vocab.make(["[PAD]", "[UNK]", "[CLS]", "[SEP]", ...tokens], "generated"))
    )
  const smallWord = fc
    .array(fc.constantFrom("a", "b"), { minLength: 1, maxLength: 7 })
    .map((cs) => cs.join(""))
  const cases = fc.oneof(
    fc.tuple(fc.constant(tinyVocab), corpora),
    fc.tuple(
      denseVocabs,
      fc.array(fc.array(fc.array(smallWord, { maxLength: 6 }), { maxLength: 3 }), { maxLength: 3 })
    )
  )

  it.prop(
    "re-tokenizing the corpora with the trimmed vocabulary gives the same subwords, ids remapped",
    [cases],
    ([[full, corpora]]) => {
      const { vocab, oldToNew } = trimVocabulary(full, corpora)
      const before = new BertTokenizer(full)
      const after = new BertTokenizer(vocab)
      for (const words of corpora.flat()) {
        const a = before.encodeWords(words)
        const b = after.encodeWords(words)
        expect(b.tokens).toEqual(a.tokens)
        expect(b.inputIds).toEqual(a.inputIds.map((id) => oldToNew[id]))
      }
    },
    { fastCheck: { numRuns, seed } }
  )
})
