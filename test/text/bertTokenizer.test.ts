import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { IGNORE_INDEX } from "../../src/data/labels.js"
import { BertTokenizer } from "../../src/text/bertTokenizer.js"
import { isRemoved, splitsWords } from "../../src/text/chars.js"
import { padRows } from "../../src/text/encoding.js"
import { numRuns, seed, tinyVocab } from "./fixture.js"

const tokenizer = new BertTokenizer(tinyVocab)
const tokens = (text: string) => tokenizer.tokenize(text).map((s) => s.token)

describe("BertTokenizer.tokenize / encodeText", () => {
  it("runs the basic tokenizer then WordPiece", () => {
    expect(tokens("The unaffable Kölns, Münchens!")).toEqual([
      "The",
      "un",
      "##aff",
      "##able",
      "Köln",
      "##s",
      ",",
      "München",
      "##s",
      "!"
    ])
    expect(tokens("中国人 日本")).toEqual(["中", "国", "人", "日", "本"])
    expect(tokens("zzz abz")).toEqual(["[UNK]", "[UNK]"])
  })

  it("removes control characters before WordPiece: a\\u200Bb is the word ab", () => {
    expect(tokens("a\u200bb")).toEqual(["ab"])
    expect(tokens("\u200b")).toEqual([])
  })

  it("gives one [UNK] for a word over 100 characters", () => {
    expect(tokens(`a ${"x".repeat(101)} b`)).toEqual(["a", "[UNK]", "b"])
  })

  it("keeps special tokens written in the text whole, like HF", () => {
    expect(tokens("a[SEP]b [MASK] [CLS]")).toEqual(["a", "[SEP]", "b", "[MASK]", "[CLS]"])
    // HF: after cleaning, "[SEP]" is a never-split whitespace token, and WordPiece finds it whole
    expect(tokens("[SE\u0007P]")).toEqual(["[SEP]"])
    // glued to other text it is split on punctuation
    expect(tokens("x[SE\u0007P]")).toEqual(["x", "[UNK]", "[UNK]", "[UNK]"])
  })

  it("encodeText wraps in [CLS] … [SEP] and truncates subwords to maxLength − 2", () => {
    expect(tokenizer.encodeText("Hello world!")).toEqual({
      tokens: ["[CLS]", "Hello", "world", "!", "[SEP]"],
      inputIds: [3, tinyVocab.id("Hello"), tinyVocab.id("world"), tinyVocab.id("!"), 4]
    })
    expect(tokenizer.encodeText("unaffable world", 4).tokens).toEqual(["[CLS]", "un", "##aff", "[SEP]"])
    expect(tokenizer.encodeText("")).toEqual({ tokens: ["[CLS]", "[SEP]"], inputIds: [3, 4] })
    expect(() => tokenizer.encodeText("a", 1)).toThrow(RangeError)
  })

  // characters of every class, some in the vocabulary and some not
  const char = fc.constantFrom(
    ..."abcdexö😀é中国東 \t\n\u00a0\u3000\u2028\u200b\ufeff\u0000\ufffd\u0007.,'!¿«zqあ한€\u0301"
  )
  const text = fc.oneof(
    fc.array(char, { maxLength: 40 }).map((cs) => cs.join("")),
    fc
      .array(fc.constantFrom("x", "a", " ", "[SEP]", "[MASK]", "中"), { maxLength: 60 })
      .map((cs) => cs.join(""))
  )

  it.prop(
    "never drops a character: each kept input character is inside a subword, or an [UNK] of its word",
    [text],
    ([input]) => {
      const subwords = tokenizer.tokenize(input)
      let previousEnd = 0
      for (const s of subwords) {
        expect(s.start).toBeGreaterThanOrEqual(previousEnd)
        expect(s.end).toBeGreaterThan(s.start)
        previousEnd = s.end
        const covered = [...input.slice(s.start, s.end)].filter((c) => !isRemoved(c)).join("")
        if (s.token === "[UNK]" && input.slice(s.start, s.end) !== "[UNK]") {
          expect(covered.length).toBeGreaterThan(0)
          expect([...covered].some(splitsWords)).toBe(false) // an [UNK] stands for one word
        } else expect(covered).toBe(s.token.replace(/^##/, ""))
      }
      let at = 0
      for (const c of input) {
        if (!isRemoved(c) && !splitsWords(c))
          expect(subwords.some((s) => s.start <= at && at < s.end)).toBe(true)
        at += c.length
      }
      // subwords of one word are contiguous and numbered in order
      subwords.forEach((s, i) => {
        if (i > 0) expect(s.word - subwords[i - 1]!.word).toBeLessThanOrEqual(1)
      })
    },
    { fastCheck: { numRuns, seed } }
  )
})

describe("BertTokenizer.encodeWords", () => {
  it("labels each word's first subword and ignores the rest", () => {
    const e = tokenizer.encodeWords(["unaffable", "Köln", "!"], [1, 2, 0])
    expect(e.tokens).toEqual(["[CLS]", "un", "##aff", "##able", "Köln", "!", "[SEP]"])
    expect(e.wordIds).toEqual([-1, 0, 0, 0, 1, 2, -1])
    expect(e.labelPositions).toEqual([1, 4, 5])
    expect(e.labels).toEqual([IGNORE_INDEX, 1, IGNORE_INDEX, IGNORE_INDEX, 2, 0, IGNORE_INDEX])
    expect([e.words, e.keptWords, e.emptyWords]).toEqual([3, 3, []])
  })

  it("splits a word on punctuation inside it, keeping one label", () => {
    const e = tokenizer.encodeWords(["a-b"], [7])
    expect(e.tokens).toEqual(["[CLS]", "a", "-", "b", "[SEP]"])
    expect(e.labels).toEqual([IGNORE_INDEX, 7, IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX])
  })

  it("encodes a word with no subword as [UNK] instead of dropping it", () => {
    const e = tokenizer.encodeWords(["a", "\u200b", "", " ", "b"], [1, 2, 3, 4, 5])
    expect(e.tokens).toEqual(["[CLS]", "a", "[UNK]", "[UNK]", "[UNK]", "b", "[SEP]"])
    expect(e.labelPositions).toEqual([1, 2, 3, 4, 5])
    expect(e.emptyWords).toEqual([1, 2, 3])
  })

  it("truncates whole words to fit maxLength with [CLS] and [SEP]", () => {
    const e = tokenizer.encodeWords(["a", "unaffable", "b"], [1, 2, 3], 5)
    expect(e.tokens).toEqual(["[CLS]", "a", "[SEP]"])
    expect([e.keptWords, e.labelPositions]).toEqual([1, [1]])
    expect(tokenizer.encodeWords(["a", "unaffable", "b"], [1, 2, 3], 6).tokens).toEqual([
      "[CLS]",
      "a",
      "un",
      "##aff",
      "##able",
      "[SEP]"
    ])
  })

  it("leaves labels out when none are given, and rejects a label count mismatch", () => {
    expect(tokenizer.encodeWords(["a"]).labels).toBeUndefined()
    expect(() => tokenizer.encodeWords(["a", "b"], [1])).toThrow(RangeError)
  })

  it("padRows masks and ignores the padding", () => {
    const p = padRows([tokenizer.encodeWords(["ab", "c"], [4, 5])], tinyVocab.padId, 6)
    expect(Array.from(p.inputIds)).toEqual([3, tinyVocab.id("ab"), tinyVocab.id("c"), 4, 0, 0])
    expect(Array.from(p.attentionMask)).toEqual([1, 1, 1, 1, 0, 0])
    expect(Array.from(p.labels)).toEqual([-100, 4, 5, -100, -100, -100])
    expect(Array.from(p.wordIds)).toEqual([-1, 0, 1, -1, -1, -1])
    expect(() => padRows([tokenizer.encodeWords(["ab", "c"])], 0, 3)).toThrow(RangeError)
  })

  const word = fc.oneof(
    fc.constantFrom(
      "a",
      "unaffable",
      "Köln",
      "中国",
      "zzz",
      "a.b",
      "\u200b",
      "",
      " ",
      "x".repeat(101),
      "[SEP]"
    ),
    fc.string({ maxLength: 8 })
  )
  const sentence = fc
    .array(word, { maxLength: 20 })
    .chain((words) =>
      fc.tuple(
        fc.constant(words),
        fc.array(fc.nat(8), { minLength: words.length, maxLength: words.length }),
        fc.integer({ min: 2, max: 40 })
      )
    )

  it.prop(
    "maps each kept word to exactly one labeled position, and keeps as many words as fit",
    [sentence],
    ([[words, labels, maxLength]]) => {
      const e = tokenizer.encodeWords(words, labels, maxLength)
      const n = e.tokens.length
      expect(n).toBeLessThanOrEqual(maxLength)
      expect([e.tokens[0], e.tokens[n - 1]]).toEqual(["[CLS]", "[SEP]"])
      expect([e.inputIds.length, e.wordIds.length, e.labels!.length]).toEqual([n, n, n])
      expect(e.labelPositions).toHaveLength(e.keptWords)
      expect(e.labels!.filter((l) => l !== IGNORE_INDEX)).toHaveLength(e.keptWords)
      e.labelPositions.forEach((position, w) => {
        expect(e.wordIds.indexOf(w)).toBe(position)
        expect(e.labels![position]).toBe(labels[w])
      })
      // subwords follow the words in order, every kept word has at least one
      const inner = e.wordIds.slice(1, -1)
      expect(inner).toEqual([...inner].sort((a, b) => a - b))
      expect(new Set(inner).size).toBe(e.keptWords)
      // maximal prefix: the next word would not have fit
      if (e.keptWords < words.length) {
        const next = Math.max(1, tokenizer.tokenize(words[e.keptWords]!).length)
        expect(n + next).toBeGreaterThan(maxLength)
      }
      for (const w of e.emptyWords) expect(tokenizer.tokenize(words[w]!)).toEqual([])
    },
    { fastCheck: { numRuns, seed } }
  )
})
