/**
 * Flags checked before @effect/cli parses them (flagCheck.ts): every flag a command lists passes,
 * an unknown one is named with the nearest real one, a non-repeatable one given twice is named as
 * such; a typo'd command gets a suggestion too (closest.ts).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { closest } from "../../src/cli/closest.js"
import { commandEntries } from "../../src/cli/commands.js"
import { commandFlags, flagProblem } from "../../src/cli/flagCheck.js"
import { commandOf, subcommandsOf } from "../../src/cli/help.js"
import { load } from "../../src/cli/modules.js"

describe("flag check", () => {
  it.effect(
    "every flag every command lists passes, each given once with a value where it takes one",
    () =>
      Effect.gen(function* () {
        const refused: Array<string> = []
        for (const entry of commandEntries) {
          const command = yield* Effect.promise(load[entry.name])
          const words = [[], ...subcommandsOf(command.descriptor).map(([n]) => [n])]
          for (const word of words) {
            const { descriptor } = commandOf(command, [entry.name, ...word])
            const args = [...commandFlags(descriptor)].flatMap(([name, flag]) =>
              flag.takesValue ? [name, flag.choices?.[0] ?? "--looks-like-a-flag"] : [name]
            )
            const problem = flagProblem(command, [entry.name, ...word, ...args])
            if (problem !== undefined) refused.push(problem.message)
          }
        }
        expect(refused).toEqual([])
      }),
    120_000
  )

  it.effect("an unknown flag is named with the nearest one; a flag given twice is named", () =>
    Effect.gen(function* () {
      const train = yield* Effect.promise(load.train)
      expect(flagProblem(train, ["train", "--max-step", "3"])?.message).toBe(
        "concner train: unknown flag --max-step (did you mean --max-steps?); `concner train --help` lists its flags"
      )
      expect(flagProblem(train, ["train", "--data", "a", "--data=b"])?.message).toBe(
        "concner train: --data is given twice; give it once"
      )
      // repeatable flags repeat; what follows a flag that takes a value is its value; -- ends the flags
      expect(
        flagProblem(train, ["train", "--tag", "a", "--tag", "b", "--name", "--x", "--", "--y"])
      ).toBeUndefined()
      const evaluate = yield* Effect.promise(load.evaluate)
      expect(flagProblem(evaluate, ["evaluate", "--scheme", "iob"])?.message).toBe(
        'concner evaluate: --scheme: "iob" is not one of conlleval, iob2, iobes (did you mean iob2?)'
      )
      expect(flagProblem(evaluate, ["evaluate", "--scheme=iobes"])).toBeUndefined()
      const vocab = yield* Effect.promise(load.vocab)
      expect(flagProblem(vocab, ["vocab", "train", "--siz", "3"])?.message).toMatch(
        /^concner vocab train: unknown flag --siz \(did you mean --size\?\)/
      )
    })
  )

  it("a typo'd command gets the command it most likely meant, an unrelated word none", () => {
    const names = commandEntries.map((c) => c.name)
    expect(closest("trian", names)).toBe("train")
    expect(closest("evalute", names)).toBe("evaluate")
    expect(closest("xyz", names)).toBeUndefined()
  })
})
