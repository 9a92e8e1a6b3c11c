import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { EvalColumnCountMismatch, EvalTooFewColumns } from "../../src/eval/errors.js"
import { decodeConlleval } from "../../src/eval/input.js"

describe("decodeConlleval", () => {
  it.effect(
    "takes the last two columns, splits at ASCII space/tab runs only, keeps U+FEFF/U+200B in tokens",
    () =>
      Effect.gen(function* () {
        const text =
          "\uFEFFa\u200Bb NNP\tB-PER  B-PER\r\n\uFEFFc NN O \t O\r\n\r\n-X- -X- -X- -X-\nd NN B-LOC\tO\n"
        expect(yield* decodeConlleval(text, "f")).toStrictEqual({
          sentences: [
            [
              { line: 1, gold: "B-PER", predicted: "B-PER" },
              { line: 2, gold: "O", predicted: "O" }
            ],
            [{ line: 5, gold: "B-LOC", predicted: "O" }]
          ],
          finalBoundary: false
        })
      })
  )

  it.effect("keeps -DOCSTART- as a token (conlleval.pl counts it) and notes a final boundary", () =>
    Effect.gen(function* () {
      const input = yield* decodeConlleval("-DOCSTART- O O\n\na B-X B-X\n\n\n", "f")
      expect(input.sentences.map((s) => s.length)).toStrictEqual([1, 1])
      expect(input.finalBoundary).toBe(true)
    })
  )

  it.effect("reads an empty file and blank lines as no sentences", () =>
    Effect.gen(function* () {
      expect((yield* decodeConlleval("", "f")).sentences).toStrictEqual([])
      expect((yield* decodeConlleval("\n \n\t\n", "f")).sentences).toStrictEqual([])
    })
  )

  it.effect("fails on a line with one column, naming file, line and text", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(decodeConlleval("O\nB-PER\n", "p.txt"))
      expect(exit).toStrictEqual(
        Exit.fail(new EvalTooFewColumns({ file: "p.txt", line: 1, text: "O", columns: 1 }))
      )
      expect(Exit.isFailure(exit) && String(exit.cause)).toContain("p.txt:1:")
    })
  )

  it.effect("fails on a column count unlike the first line's, as conlleval.pl does", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(decodeConlleval("a B-PER B-PER\r\nb O O\r\n\r\nc O O O\r\n", "p.txt"))
      expect(exit).toStrictEqual(
        Exit.fail(
          new EvalColumnCountMismatch({ file: "p.txt", line: 4, text: "c O O O", expected: 3, found: 4 })
        )
      )
      const error = new EvalColumnCountMismatch({
        file: "p.txt",
        line: 4,
        text: "c O O O",
        expected: 3,
        found: 4
      })
      expect(error.message).toBe('p.txt:4: expected 3 columns like the first line, found 4: "c O O O"')
    })
  )
})
