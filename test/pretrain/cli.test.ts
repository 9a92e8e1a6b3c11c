/** `concner pretrain` end to end in a child process: a test split is refused; a tiny run writes its folder. */
import { spawn } from "node:child_process"
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import { trainVocabularyOnTokens } from "../../src/text/vocabTrain.js"
import { dataRoot, hasData } from "../support/data.js"

const bin = path.resolve("bin/concner.js")

/** Runs the CLI (async: vitest's worker must stay responsive). */
const concner = (args: ReadonlyArray<string>) =>
  Effect.async<{ status: number | null; stdout: string; stderr: string }>((resume) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, CONCNER_DATA: dataRoot } })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => {
      stdout += d
    })
    child.stderr.on("data", (d) => {
      stderr += d
    })
    child.on("close", (status) => resume(Effect.succeed({ status, stdout, stderr })))
  })

const model = {
  model_type: "bert",
  hidden_size: 16,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 32,
  max_position_embeddings: 64
}

/** A vocabulary and a config file in a fresh directory. */
const setup = (config: object) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped()
    const tokens = Either.getOrThrow(
      trainVocabularyOnTokens([["De", "kat", "zit", "op", "de", "mat", "."]], { size: 100 })
    )
    yield* fs.writeFileString(path.join(dir, "vocab.txt"), `${tokens.join("\n")}\n`)
    yield* fs.writeFileString(path.join(dir, "config.json"), JSON.stringify(config))
    const args = [
      "pretrain",
      "--config",
      path.join(dir, "config.json"),
      "--vocab",
      path.join(dir, "vocab.txt")
    ]
    return { dir, args: [...args, "--out", path.join(dir, "out"), "--backend", "cpu"] }
  })

layer(NodeContext.layer)("concner pretrain", (it) => {
  it.scoped("refuses a test split with a message naming it, exit code non-zero", () =>
    Effect.gen(function* () {
      const { args } = yield* setup({ model, sources: ["conll/nl/train", "conll/nl/test"] })
      const run = yield* concner(args)
      expect(run.status).not.toBe(0)
      expect(run.stderr).toContain("conll/nl/test: a test split")
    })
  )

  describe.skipIf(!hasData)("on the real data", () => {
    it.scoped("writes an HF BertForMaskedLM folder and its model card", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const { dir, args } = yield* setup({
          model,
          batchSize: 4,
          maxLength: 32,
          heldOut: 5,
          sources: ["conll/nl/dev"]
        })
        // --steps: --max-steps' old spelling, still accepted
        const run = yield* concner([...args, "--steps", "2"])
        expect(run.stderr).not.toContain("Error")
        expect(run.status).toBe(0)
        expect(run.stderr).toMatch(/^\[1\/1\] pretrain 2\/2 .*loss \d/m)
        expect(run.stdout).toMatch(/: 2 steps in \d+m\d\ds \(all sittings\).*\n.*\n.*\n\| nl \| 5 \| /)
        const out = path.join(dir, "out")
        expect((yield* fs.readDirectory(out)).sort()).toStrictEqual([
          "MODEL_CARD.md",
          "config.json",
          "model.safetensors",
          "run",
          "special_tokens_map.json",
          "tokenizer_config.json",
          "vocab.txt"
        ])
        const card = yield* fs.readFileString(path.join(out, "MODEL_CARD.md"))
        expect(card).toMatch(/\| conll\/nl\/dev\.txt \| \d+ \| `[0-9a-f]{64}` \|/)
        expect(card).toMatch(/\| nl \| 5 \|/)
      })
    )
  })
})
