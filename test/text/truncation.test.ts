import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { BertTokenizer } from "../../src/text/bertTokenizer.js"
import { encodeCorpus } from "../../src/text/corpus.js"
import { TagCountMismatch, UnknownTag } from "../../src/text/errors.js"
import { TruncationReport, iob2Entities } from "../../src/text/truncation.js"
import { tinyVocab } from "./fixture.js"

const tokenizer = new BertTokenizer(tinyVocab)
const labelIds = new Map(["O", "B-PER", "I-PER", "B-LOC", "I-LOC"].map((tag, i) => [tag, i]))

describe("iob2Entities", () => {
  it("finds entities as conlleval does", () => {
    expect(iob2Entities(["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-LOC"])).toEqual([
      { start: 0, end: 2 },
      { start: 3, end: 4 },
      { start: 4, end: 6 }
    ])
    // an I- that continues nothing starts an entity; a type change ends one
    expect(iob2Entities(["I-PER", "I-LOC", "O", "I-LOC"])).toEqual([
      { start: 0, end: 1 },
      { start: 1, end: 2 },
      { start: 3, end: 4 }
    ])
    expect(iob2Entities([])).toEqual([])
  })
})

describe("encodeCorpus and TruncationReport", () => {
  it("counts truncated sentences, cut words and lost or clipped entities", () => {
    const sentences = [
      // 6 subwords: all fit in maxLength 8
      { tokens: ["The", "unaffable", "Köln", "!"], tags: ["O", "B-PER", "B-LOC", "O"], line: 1 },
      // "a" fits, then "Hello world" (B-PER I-PER) is clipped after Hello, "New York" (B-LOC I-LOC) is lost
      {
        tokens: ["a", "b", "c", "d", "e", "Hello", "world", "New", "York"],
        tags: ["O", "O", "O", "O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC"],
        line: 3
      },
      // a word with no subword is kept as [UNK]
      { tokens: ["\u200b", "a"], tags: ["B-PER", "O"], line: 13 }
    ]
    const { encodings, report } = Either.getOrThrow(encodeCorpus(tokenizer, sentences, labelIds, 8))
    expect(encodings.map((e) => e.keptWords)).toEqual([4, 6, 2])
    expect(encodings[2]!.labels).toEqual([-100, 1, 0, -100])
    expect(report).toEqual(
      new TruncationReport({
        maxLength: 8,
        sentences: 3,
        truncatedSentences: 1,
        words: 15,
        wordsCut: 3,
        emptyWords: 1,
        entities: 5,
        entitiesLost: 1,
        entitiesClipped: 1
      })
    )
  })

  it("reports nothing lost when everything fits", () => {
    const { report } = Either.getOrThrow(
      encodeCorpus(tokenizer, [{ tokens: ["Hello", "world"], tags: ["B-PER", "I-PER"] }], labelIds)
    )
    expect([report.maxLength, report.truncatedSentences, report.wordsCut, report.entitiesLost]).toEqual([
      128, 0, 0, 0
    ])
  })

  it("fails on a tag outside the label set, naming the sentence's line and word", () => {
    const result = encodeCorpus(tokenizer, [{ tokens: ["a", "b"], tags: ["O", "B-MISC"], line: 7 }], labelIds)
    expect(result).toStrictEqual(Either.left(new UnknownTag({ line: 7, word: "b", tag: "B-MISC" })))
    expect(Either.isLeft(result) && result.left.message).toBe(
      '7: word "b" has tag "B-MISC", which is not in the label set'
    )
  })

  it("fails on a sentence whose word and tag counts differ", () => {
    expect(encodeCorpus(tokenizer, [{ tokens: ["a", "b"], tags: ["O"], line: 2 }], labelIds)).toStrictEqual(
      Either.left(new TagCountMismatch({ line: 2, words: 2, tags: 1 }))
    )
  })
})
