import * as path from "node:path"
import { Command } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, vi } from "@effect/vitest"
import { Effect, Either } from "effect"
import { translateCommand } from "../../src/cli/translate.js"
import { decodeConll } from "../../src/data/conll.js"
import { sampleIndices } from "../../src/data/sampling.js"

const conll = "EU B-ORG\nrejects O\n\nPeter B-PER\nBlackburn I-PER\n\nBRUSSELS B-LOC\n1996-08-22 O\n\n"

const cli = (args: ReadonlyArray<string>) => {
  const log = vi.spyOn(console, "log").mockImplementation(() => {})
  return Command.run(translateCommand, { name: "translate", version: "test" })([
    "node",
    "translate",
    ...args
  ]).pipe(Effect.ensuring(Effect.sync(() => log.mockRestore())))
}

describe("concner translate", () => {
  it.scoped("writes train.txt, train.src_idx and report.json for a sample", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const input = path.join(dir, "en.txt")
      yield* fs.writeFileString(input, conll)
      const out = path.join(dir, "out")
      const args = ["--engine", "command", "--command", "cat", "--to", "xx", "--input", input, "--out", out]
      yield* cli([
        ...args,
        "--sample",
        "2",
        "--seed",
        "3",
        "--batch-size",
        "1",
        "--cache",
        path.join(dir, "cache")
      ])
      const indices = sampleIndices(3, 2, 3)
      const { sentences } = Either.getOrThrow(decodeConll(conll, input))
      const written = Either.getOrThrow(
        decodeConll(yield* fs.readFileString(path.join(out, "train.txt")), "train.txt")
      )
      expect(written.sentences.map((s) => [s.tokens, s.tags])).toStrictEqual(
        indices.map((i) => [sentences[i]!.tokens, sentences[i]!.tags])
      )
      expect(yield* fs.readFileString(path.join(out, "train.src_idx"))).toBe(
        indices.map((i) => `${i}\n`).join("")
      )
      const report = JSON.parse(yield* fs.readFileString(path.join(out, "report.json")))
      expect(report).toMatchObject({
        sentences: 2,
        kept: 2,
        dropped: 0,
        sample: { k: 2, seed: 3 },
        droppedSentences: []
      })
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("fails with file:line on a bad input and names a missing --command", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const input = path.join(dir, "bad.txt")
      yield* fs.writeFileString(input, "EU B-ORG\nrejects\n")
      const base = ["--to", "xx", "--input", input, "--out", path.join(dir, "out"), "--cache", dir]
      const bad = yield* Effect.flip(cli(["--engine", "command", "--command", "cat", ...base]))
      expect((bad as Error).message).toBe(
        `${input}:2: expected 2 or more columns (token … tag) separated by spaces or tabs: "rejects"`
      )
      const noCommand = yield* Effect.flip(cli(["--engine", "command", ...base]))
      expect((noCommand as Error).message).toContain("--engine command needs --command")
      const good = path.join(dir, "good.txt")
      yield* fs.writeFileString(good, conll)
      const goodArgs = [
        "--engine",
        "command",
        "--command",
        "cat",
        ...base.slice(0, 2),
        "--input",
        good,
        ...base.slice(4)
      ]
      const tooMany = yield* Effect.flip(cli([...goodArgs, "--sample", "9"]))
      expect((tooMany as Error).message).toContain("cannot sample 9")
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
