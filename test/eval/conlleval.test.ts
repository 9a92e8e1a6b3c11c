import { describe, expect, it } from "@effect/vitest"
import { fromIob2 } from "../../src/data/scheme.js"
import { type EvalToken, endOfChunk, scoreConlleval, startOfChunk } from "../../src/eval/conlleval.js"
import type { EntityScores } from "../../src/eval/scores.js"
import { anySentences, fastCheck, iob2Sentences } from "./arbitraries.js"

type Paired = ReadonlyArray<{
  readonly gold: ReadonlyArray<string>
  readonly predicted: ReadonlyArray<string>
}>

const zipped = (sentences: Paired): Array<Array<EvalToken>> =>
  sentences.map(({ gold, predicted }) => gold.map((tag, i) => ({ gold: tag, predicted: predicted[i]! })))

/** Naive reference on valid IOB2: a B-X opens an entity that its following I-X tags extend. */
const naiveSpans = (tags: ReadonlyArray<string>): Array<string> => {
  const spans: Array<string> = []
  tags.forEach((tag, i) => {
    if (!tag.startsWith("B-")) return
    let end = i + 1
    while (tags[end] === `I-${tag.slice(2)}`) end++
    spans.push(`${tag.slice(2)} ${i} ${end}`)
  })
  return spans
}

const naiveScores = (sentences: Paired) => {
  const counts = new Map<string, { correct: number; gold: number; predicted: number }>()
  const of = (type: string) =>
    counts.get(type) ?? counts.set(type, { correct: 0, gold: 0, predicted: 0 }).get(type)!
  for (const { gold, predicted } of sentences) {
    const goldSpans = new Set(naiveSpans(gold))
    for (const span of goldSpans) of(span.split(" ")[0]!).gold++
    for (const span of naiveSpans(predicted)) {
      of(span.split(" ")[0]!).predicted++
      if (goldSpans.has(span)) of(span.split(" ")[0]!).correct++
    }
  }
  return counts
}

const countsOf = (scores: EntityScores) =>
  new Map(
    Object.entries(scores.types).map(([type, s]) => [
      type,
      { correct: s.correct, gold: s.gold, predicted: s.predicted }
    ])
  )

describe("conlleval chunk rules", () => {
  it("reads IOB1, IOB2 and IOE boundaries", () => {
    expect(startOfChunk("O", "I", "", "PER")).toBe(true) // I- after O starts a chunk
    expect(startOfChunk("I", "I", "PER", "LOC")).toBe(true) // type change inside an I- run
    expect(startOfChunk("I", "B", "PER", "PER")).toBe(true) // IOB1 B- between adjacent chunks
    expect(startOfChunk("I", "I", "PER", "PER")).toBe(false)
    expect(startOfChunk("S", "S", "PER", "PER")).toBe(false) // S- is not special to conlleval
    expect(endOfChunk("E", "I", "PER", "PER")).toBe(true)
    expect(endOfChunk(".", "O", "PER", "")).toBe(false) // `.` is exempt from the type rule
    expect(endOfChunk("[", "[", "NP", "NP")).toBe(true)
  })

  it("scores nothing as 0, never NaN", () => {
    const none = { precision: 0, recall: 0, f1: 0, correct: 0, gold: 0, predicted: 0 }
    expect(scoreConlleval([])).toStrictEqual({ overall: none, types: {}, accuracy: 0, tokens: 0 })
    expect(scoreConlleval([[{ gold: "O", predicted: "O" }]])).toStrictEqual({
      overall: none,
      types: {},
      accuracy: 100,
      tokens: 1
    })
  })

  it("counts a chunk left open across a boundary as conlleval.pl does: only at end of input", () => {
    const sentence = [
      { gold: "B-PER", predicted: "B-PER" },
      { gold: "Z-PER", predicted: ".-PER" }
    ]
    expect(scoreConlleval([sentence], false).overall.correct).toBe(1)
    expect(scoreConlleval([sentence], true).overall.correct).toBe(0)
  })
})

describe("conlleval properties", () => {
  it.prop(
    "equals a naive span-set scorer on valid IOB2",
    [iob2Sentences()],
    ([sentences]) => {
      const scores = scoreConlleval(zipped(sentences))
      const expected = naiveScores(sentences)
      expect(countsOf(scores)).toStrictEqual(expected)
      const total = [...expected.values()].reduce(
        (a, c) => ({
          correct: a.correct + c.correct,
          gold: a.gold + c.gold,
          predicted: a.predicted + c.predicted
        }),
        { correct: 0, gold: 0, predicted: 0 }
      )
      const precision = total.predicted === 0 ? 0 : (100 * total.correct) / total.predicted
      const recall = total.gold === 0 ? 0 : (100 * total.correct) / total.gold
      expect(scores.overall).toStrictEqual({
        precision,
        recall,
        f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
        ...total
      })
    },
    fastCheck(20261126)
  )

  it.prop(
    "reads IOB1 like IOB2: the same entities written in IOB1 give the same chunk scores",
    [iob2Sentences()],
    ([sentences]) => {
      const iob1 = sentences.map(({ gold, predicted }) => ({
        gold: fromIob2(gold, "IOB1"),
        predicted: fromIob2(predicted, "IOB1")
      }))
      const a = scoreConlleval(zipped(sentences))
      const b = scoreConlleval(zipped(iob1))
      expect(b.overall).toStrictEqual(a.overall)
      expect(b.types).toStrictEqual(a.types)
    },
    fastCheck(1126)
  )

  // Not for any tags: conlleval.pl itself scores `Z-A [-A` against itself 50% (the `Z-A` chunk
  // never ends before `[-A` starts); with B-/I-/O tags, valid or not, it is exact.
  it.prop(
    "is 100 when the prediction is the gold (IOB tags, valid or not), 0 without entities",
    [iob2Sentences(false)],
    ([sentences]) => {
      const scores = scoreConlleval(zipped(sentences.map(({ gold }) => ({ gold, predicted: gold }))))
      const { correct, gold, predicted, precision, recall, f1 } = scores.overall
      expect(correct).toBe(gold)
      expect(predicted).toBe(gold)
      expect([precision, recall, f1]).toStrictEqual(gold > 0 ? [100, 100, 100] : [0, 0, 0])
      if (scores.tokens > 0) expect(scores.accuracy).toBe(100)
    },
    fastCheck(7)
  )

  it.prop(
    "swapping gold and prediction swaps precision and recall (any tags)",
    [anySentences],
    ([sentences]) => {
      const a = scoreConlleval(sentences)
      const b = scoreConlleval(
        sentences.map((s) => s.map(({ gold, predicted }) => ({ gold: predicted, predicted: gold })))
      )
      const swapped = (s: EntityScores["overall"]) => ({
        ...s,
        precision: s.recall,
        recall: s.precision,
        gold: s.predicted,
        predicted: s.gold
      })
      expect(b.overall).toStrictEqual(swapped(a.overall))
      expect(Object.keys(b.types)).toStrictEqual(Object.keys(a.types))
      for (const [type, score] of Object.entries(a.types)) expect(b.types[type]).toStrictEqual(swapped(score))
      expect(b.accuracy).toBe(a.accuracy)
    },
    fastCheck(42)
  )
})
