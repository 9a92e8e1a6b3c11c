/** `concner model init`: a seeded random checkpoint that concner's loader reads back exactly. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { Command } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { afterAll, describe, expect, it, vi } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { modelCommand } from "../../src/cli/model.js"
import { labelSet } from "../../src/data/labels.js"
import { loadCheckpoint } from "../../src/model/checkpoint.js"
import { disposeParams, initParams } from "../../src/model/params.js"
import { tf } from "../../src/runtime/tf.js"
import { FIXTURE_DIR } from "../model/fixture.js"

const root = mkdtempSync(path.join(tmpdir(), "concner-model-"))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const init = (...args: ReadonlyArray<string>) =>
  Command.run(modelCommand, { name: "model", version: "test" })(["node", "model", "init", ...args]).pipe(
    Effect.provide(NodeContext.layer)
  )

const fixtureArgs = ["--config", `${FIXTURE_DIR}/config.json`, "--vocab", `${FIXTURE_DIR}/vocab.txt`]

describe("concner model init", () => {
  it.effect("writes a seeded HF checkpoint with IOB2 labels that loads back as HF's _init_weights", () =>
    Effect.gen(function* () {
      const out = path.join(root, "tiny")
      const log = vi.spyOn(console, "log").mockImplementation(() => {})
      yield* init(...fixtureArgs, "--out", out, "--seed", "3", "--labels", "PER,LOC", "--backend", "cpu")
      log.mockRestore()
      const config = JSON.parse(readFileSync(path.join(out, "config.json"), "utf8"))
      expect(config.id2label).toStrictEqual({
        "0": "O",
        "1": "B-PER",
        "2": "I-PER",
        "3": "B-LOC",
        "4": "I-LOC"
      })
      expect(config.architectures).toStrictEqual(["BertForTokenClassification"])
      expect(readFileSync(path.join(out, "vocab.txt"), "utf8")).toBe(
        readFileSync(`${FIXTURE_DIR}/vocab.txt`, "utf8")
      )
      const same = yield* Effect.scoped(
        Effect.gen(function* () {
          const loaded = yield* loadCheckpoint(out)
          expect(loaded.report.classifier).toBe("loaded")
          const fresh = initParams(loaded.config, 5, 3)
          const equal = Object.keys(fresh).every((key) =>
            tf.tidy(() => tf.all(tf.equal(fresh[key]!, loaded.params[key]!)).dataSync()[0] === 1)
          )
          disposeParams(fresh)
          return equal && Object.keys(fresh).length === Object.keys(loaded.params).length
        })
      ).pipe(Effect.provide(NodeContext.layer))
      expect(same).toBe(true)
    })
  )

  it.effect("takes the labels from config.json when --labels is absent", () =>
    Effect.gen(function* () {
      const out = path.join(root, "fromConfig")
      const log = vi.spyOn(console, "log").mockImplementation(() => {})
      yield* init(...fixtureArgs, "--out", out, "--backend", "cpu")
      log.mockRestore()
      expect(JSON.parse(readFileSync(path.join(out, "config.json"), "utf8")).id2label).toStrictEqual({
        "0": "O",
        "1": "B-PER",
        "2": "I-PER"
      })
    })
  )

  it.effect("refuses tags as --labels and a vocabulary that disagrees with config.json", () =>
    Effect.gen(function* () {
      const tags = yield* Effect.exit(
        init(...fixtureArgs, "--out", path.join(root, "x"), "--labels", "B-PER")
      )
      expect(Exit.isFailure(tags) && String(tags.cause)).toMatch(/"B-PER" is a tag; give entity types/)
      const vocab = path.join(root, "vocab.txt")
      yield* Effect.sync(() => writeFileSync(vocab, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n"))
      const mismatch = yield* Effect.exit(
        init("--config", `${FIXTURE_DIR}/config.json`, "--vocab", vocab, "--out", path.join(root, "y"))
      )
      expect(Exit.isFailure(mismatch) && String(mismatch.cause)).toMatch(
        /vocab_size \d+ differs from the 4 tokens/
      )
    })
  )

  it("expands entity types to IOB2 tags", () => {
    expect(labelSet(["PER", "MISC"]).tags).toStrictEqual(["O", "B-PER", "I-PER", "B-MISC", "I-MISC"])
  })
})
