import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import type { Sentence } from "../../src/data/conll.js"
import { IndexFileError } from "../../src/data/errors.js"
import { isLeakedPlaceholder, pairTranslations, pairsForSample } from "../../src/data/pairing.js"

const sentence = (line: number, text: string): Sentence => {
  const pairs = text.split(" ").map((w) => w.split("/"))
  return { tokens: pairs.map(([t]) => t!), tags: pairs.map(([, tag]) => tag ?? "O"), line }
}

const english = [
  sentence(1, "EU/B-ORG rejects German/B-MISC call"),
  sentence(6, "Peter/B-PER Blackburn/I-PER"),
  sentence(9, "BRUSSELS/B-LOC 1996-08-22"),
  sentence(12, "FAT8222/B-MISC"),
  sentence(14, "The/O")
]
const target = [
  sentence(1, "EU/B-ORG lehnt deutschen/B-MISC Aufruf"), // same types
  sentence(6, "Peter/B-PER Blackburn/B-PER"), // PER,PER vs PER: mismatch
  sentence(9, "LIS3/B-LOC FAT8222/O"), // placeholder leaked; FAT8222 is an English token
  sentence(12, "Der/O") // unaligned
]
const input = {
  english,
  target,
  invalidTransitions: [],
  srcIdx: [0, 1, 2, -1],
  targetFile: "de/train.txt",
  srcIdxFile: "de/train.src_idx"
}

describe("pairTranslations", () => {
  it("pairs through src_idx and reports integrity", () => {
    const kept = Either.getOrThrow(pairTranslations(input, "keep"))
    expect(kept.pairs.map((p) => [p.index, p.sameTypes])).toStrictEqual([
      [0, true],
      [1, false],
      [2, true]
    ])
    expect(kept.pairs[0]!.source).toBe(english[0])
    expect(kept.pairs[0]!.target).toBe(target[0])
    expect(kept.report).toStrictEqual({
      file: "de/train.txt",
      policy: "keep",
      sentences: 4,
      aligned: 3,
      unaligned: 1,
      sameTypes: 2,
      typeMismatches: 1,
      kept: 3,
      invalidTransitions: [],
      leakedPlaceholders: [{ line: 9, token: "LIS3" }]
    })
    const dropped = Either.getOrThrow(pairTranslations(input, "drop"))
    expect(dropped.pairs.map((p) => p.index)).toStrictEqual([0, 2])
    expect(dropped.report.kept).toBe(2)
  })

  it("returns exactly the pairs that exist for a sample and counts the missing", () => {
    const set = Either.getOrThrow(pairTranslations(input, "drop"))
    const sample = pairsForSample(set, [4, 2, 1, 0, 3])
    expect(sample.pairs.map((p) => p.index)).toStrictEqual([2, 0])
    expect(sample.missing).toStrictEqual([4, 1, 3])
  })

  it("fails on an index out of range or used twice, with the src_idx line", () => {
    const outOfRange = pairTranslations({ ...input, srcIdx: [0, 1, 7, -1] }, "keep")
    expect(outOfRange).toStrictEqual(
      Either.left(
        new IndexFileError({
          file: "de/train.src_idx",
          line: 3,
          text: "7",
          reason: "no English sentence 7 (there are 5)"
        })
      )
    )
    const twice = pairTranslations({ ...input, srcIdx: [0, 1, 0, -1] }, "keep")
    expect(Either.isLeft(twice) && twice.left.message).toBe(
      'de/train.src_idx:3: English sentence 0 is already paired on line 1: "0"'
    )
  })

  it("flags placeholder-shaped tokens absent from the English vocabulary only", () => {
    const vocabulary = new Set(["FAT8222", "G7"])
    const flagged = ["PER0", "LIS3", "PERG1", "MOCC4", "VERSCHIEDENES1", "PER125"]
    const kept = ["FAT8222", "U21", "T1", "China961", "PER", "per0", "1996"]
    expect(flagged.filter((t) => isLeakedPlaceholder(t, vocabulary))).toStrictEqual(flagged)
    expect(kept.filter((t) => isLeakedPlaceholder(t, vocabulary))).toStrictEqual([])
  })
})
