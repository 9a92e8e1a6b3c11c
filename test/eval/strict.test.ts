import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { ConllTagError } from "../../src/data/errors.js"
import { fromIob2 } from "../../src/data/scheme.js"
import { scoreConlleval } from "../../src/eval/conlleval.js"
import type { EvalRow } from "../../src/eval/input.js"
import { scoreSpans, scoreStrict } from "../../src/eval/strict.js"
import { fastCheck, iob2Sentences } from "./arbitraries.js"

const rows = (pairs: ReadonlyArray<readonly [string, string]>, firstLine = 1): Array<EvalRow> =>
  pairs.map(([gold, predicted], i) => ({ line: firstLine + i, gold, predicted }))

describe("strict scoring", () => {
  it.effect("reads IOBES S-X S-X as two entities, where conlleval's rules see one", () =>
    Effect.gen(function* () {
      const sentence = rows([
        ["S-PER", "S-PER"],
        ["S-PER", "S-PER"],
        ["B-ORG", "B-ORG"],
        ["E-ORG", "I-ORG"]
      ])
      const strict = yield* scoreStrict([sentence], "IOBES", "f")
      expect(strict.overall).toMatchObject({ correct: 3, gold: 3, predicted: 3 })
      expect(strict.accuracy).toBe(75) // tags compared as written: E-ORG ≠ I-ORG
      expect(scoreConlleval([sentence]).overall).toMatchObject({ correct: 2, gold: 2, predicted: 2 })
    })
  )

  it.effect("fails on a tag the scheme lacks, naming file and line", () =>
    Effect.gen(function* () {
      const sentences = [
        rows([["B-PER", "B-PER"]]),
        rows(
          [
            ["O", "O"],
            ["S-LOC", "O"]
          ],
          3
        )
      ]
      const exit = yield* Effect.exit(scoreStrict(sentences, "IOB2", "pred.txt"))
      expect(exit).toStrictEqual(
        Exit.fail(
          new ConllTagError({
            file: "pred.txt",
            line: 4,
            text: "S-LOC",
            reason: "S- tag in an IOB2 label set"
          })
        )
      )
      const bad = yield* Effect.exit(scoreStrict([rows([["B-PER", "X-PER"]])], "IOBES", "pred.txt"))
      expect(Exit.isFailure(bad) && String(bad.cause)).toContain("pred.txt:1:")
    })
  )

  it("scores no entities as 0", () => {
    expect(scoreSpans([["O"]], [["O"]]).overall).toStrictEqual({
      precision: 0,
      recall: 0,
      f1: 0,
      correct: 0,
      gold: 0,
      predicted: 0
    })
  })

  it.prop(
    "equals conlleval on valid IOB2, and on the same entities written in IOBES",
    [iob2Sentences()],
    ([sentences]) => {
      const conlleval = scoreConlleval(
        sentences.map(({ gold, predicted }) =>
          gold.map((tag, i) => ({ gold: tag, predicted: predicted[i]! }))
        )
      )
      const spans = scoreSpans(
        sentences.map((s) => s.gold),
        sentences.map((s) => s.predicted)
      )
      expect(spans).toStrictEqual(conlleval)
      const iobes = sentences.map(({ gold, predicted }) => {
        const g = fromIob2(gold, "IOBES")
        const p = fromIob2(predicted, "IOBES")
        return g.map((tag, i) => ({ line: i + 1, gold: tag, predicted: p[i]! }))
      })
      const strict = Effect.runSync(scoreStrict(iobes, "IOBES", "f"))
      expect(strict.overall).toStrictEqual(conlleval.overall)
      expect(strict.types).toStrictEqual(conlleval.types)
    },
    fastCheck(3)
  )

  it.prop(
    "swapping gold and prediction swaps precision and recall (IOB2, valid or not)",
    [iob2Sentences(false)],
    ([sentences]) => {
      const gold = sentences.map((s) => s.gold)
      const predicted = sentences.map((s) => s.predicted)
      const a = scoreSpans(gold, predicted)
      const b = scoreSpans(predicted, gold)
      expect([b.overall.precision, b.overall.recall, b.overall.f1]).toStrictEqual([
        a.overall.recall,
        a.overall.precision,
        a.overall.f1
      ])
      expect([b.overall.gold, b.overall.predicted, b.overall.correct]).toStrictEqual([
        a.overall.predicted,
        a.overall.gold,
        a.overall.correct
      ])
    },
    fastCheck(4)
  )
})
