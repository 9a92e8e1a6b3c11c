/**
 * What a new user meets on a wrong command line: each error says what is wrong and what to do, on
 * its first line, with no stack trace, and leaves no run folder behind.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { concner } from "../support/cli.js"
import { removeTempDirs, tempDir } from "../support/tempDir.js"

afterAll(removeTempDirs)

/** A data root with CoNLL English and German only. */
const dataRoot = () => {
  const root = tempDir("concner-data-")
  for (const lang of ["en", "de"])
    for (const split of ["train", "dev", "test"]) {
      mkdirSync(join(root, "conll", lang), { recursive: true })
      writeFileSync(
        join(root, "conll", lang, `${split}.txt`),
        "Peter B-PER\nlives O\n\nAnna B-PER\nsings O\n"
      )
    }
  return root
}

const train = (out: string, data: string, ...flags: ReadonlyArray<string>) =>
  concner(["train", "--method", "en", "--backend", "cpu", "--out", out, "--data", data, ...flags], {
    limitMs: 120_000
  })

describe("train's errors guide", () => {
  it.effect("an unknown language lists those the data has; missing data says where concner looked", () =>
    Effect.gen(function* () {
      const root = dataRoot()
      const out = join(tempDir("concner-out-"), "run")
      const [xx, nowhere] = yield* Effect.all(
        [
          train(out, root, "--lang", "xx", "--source-size", "1"),
          train(out, "/nonexistent/data", "--lang", "de", "--source-size", "1")
        ],
        { concurrency: 2 }
      )
      expect(xx.status).toBe(1)
      expect(xx.stderr.trim()).toBe(
        `conll/xx/test: no such data in ${root} (conll test languages there: en, de)`
      )
      expect(nowhere.status).toBe(1)
      expect(nowhere.stderr).toMatch(
        /^no data folder at \/nonexistent\/data: concner reads data from --data DIR, else \$CONCNER_DATA, else \.\.\/shared\/data .*point --data or CONCNER_DATA at/
      )
      expect(existsSync(out)).toBe(false)
    })
  )

  it.effect("a bad value names its flag and the reason on the first line, and writes nothing", () =>
    Effect.gen(function* () {
      const root = dataRoot()
      const out = join(tempDir("concner-out-"), "run")
      const [zero, abc, tooMany] = yield* Effect.all(
        [
          train(out, root, "--lang", "de", "--source-size", "0"),
          train(out, root, "--lang", "de", "--source-size", "1", "--seed", "abc"),
          train(out, root, "--lang", "de", "--source-size", "3")
        ],
        { concurrency: 2 }
      )
      expect(zero.stderr.split("\n")[0]).toBe(
        "concner train: --source-size: Expected a positive number, actual 0"
      )
      expect(abc.stderr.split("\n")[0]).toBe('--seed: "abc" is not an integer')
      expect(tooMany.stderr.split("\n")[0]).toBe("conll/en/train: cannot sample 3 of 2 sentences")
      for (const run of [zero, abc, tooMany]) {
        expect(run.status).toBe(1)
        expect(run.stderr).not.toMatch(/^\s+at /m)
      }
      expect(existsSync(out)).toBe(false)
    })
  )

  it.effect("every number flag names itself when its value is not a number", () =>
    Effect.gen(function* () {
      const [batchSize, coverage] = yield* Effect.all(
        [
          concner(["predict", "--model", "models/concner-small", "--batch-size", "abc", "-"], { input: "" }),
          concner(["vocab", "train", "--size", "10", "--coverage", "x", "--out", "vocab.txt"])
        ],
        { concurrency: 2 }
      )
      expect(batchSize.stderr).toContain('--batch-size: "abc" is not an integer')
      expect(coverage.stderr).toContain('--coverage: "x" is not a number')
      for (const run of [batchSize, coverage]) expect(run.status).not.toBe(0)
    })
  )
})
