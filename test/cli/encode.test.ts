/** `concner encode` end to end: the fixture checkpoint gives PyTorch's subwords and hidden states. */
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { Command } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { encodeCommand } from "../../src/cli/encode.js"
import { type Expected, FIXTURE_DIR } from "../model/fixture.js"

const bin = path.resolve("bin/concner.js")
const expected = JSON.parse(readFileSync(`${FIXTURE_DIR}/expected.json`, "utf8")) as Expected

/** Runs `concner encode` on the fixture in a child process (async: vitest's worker must stay responsive). */
const encode = (args: ReadonlyArray<string>, input: string) =>
  Effect.async<{ status: number | null; stdout: string; stderr: string }>((resume) => {
    const child = spawn(process.execPath, [
      bin,
      "encode",
      "--model",
      FIXTURE_DIR,
      "--backend",
      "cpu",
      ...args
    ])
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => {
      stdout += d
    })
    child.stderr.on("data", (d) => {
      stderr += d
    })
    child.on("close", (status) => resume(Effect.succeed({ status, stdout, stderr })))
    child.stdin.end(input)
  })

describe("concner encode", () => {
  it.effect("prints PyTorch's tokens, ids and hidden states (≤ 1e-4) for each stdin line", () =>
    Effect.gen(function* () {
      const result = yield* encode([], expected.sentences.map((s) => `${s.text}\n`).join(""))
      expect(result.status, result.stderr).toBe(0)
      const lines = result.stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l))
      expect(lines).toHaveLength(expected.sentences.length)
      lines.forEach((got, i) => {
        const want = expected.sentences[i]!
        expect(got.tokens).toStrictEqual(want.tokens)
        expect(got.input_ids).toStrictEqual(want.input_ids)
        const diff = Math.max(
          ...want.hidden.flatMap((row, t) => row.map((w, j) => Math.abs(w - got.hidden[t][j])))
        )
        expect(diff).toBeLessThanOrEqual(1e-4)
      })
    })
  )

  it.effect(
    "fails with <stdin>:line on a sentence the model cannot take, and truncates with --max-length",
    () =>
      Effect.gen(function* () {
        const long = Array.from({ length: 50 }, () => "lamb").join(" ")
        const [failed, cut] = yield* Effect.all(
          [encode([], `Peter\n${long}\n`), encode(["--max-length", "4"], `${long}\n`)],
          {
            concurrency: 2
          }
        )
        expect(failed.status).not.toBe(0)
        expect(failed.stderr).toMatch(
          /^<stdin>:2: 52 subwords with \[CLS\]\/\[SEP\], more than the model's max_position_embeddings 40/m
        )
        expect(failed.stdout.trimEnd().split("\n")).toHaveLength(1)
        expect(cut.status, cut.stderr).toBe(0)
        expect(JSON.parse(cut.stdout).tokens).toStrictEqual(["[CLS]", "lamb", "lamb", "[SEP]"])
      })
  )

  it.effect("rejects a --max-length the model cannot take", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Command.run(encodeCommand, { name: "encode", version: "test" })([
          "node",
          "encode",
          "--model",
          FIXTURE_DIR,
          "--backend",
          "cpu",
          "--max-length",
          "41"
        ]).pipe(Effect.provide(NodeContext.layer))
      )
      expect(Exit.isFailure(exit) && String(exit.cause)).toMatch(/--max-length 41: must be between 2/)
    })
  )
})
