/**
 * Broken XLM-R folders at the CLI, as for BERT folders (hostileModel.test.ts): no sentencepiece.bpe.model,
 * a SentencePiece vocabulary larger than the config's vocab_size, a broken protobuf, a vocab.txt beside
 * an XLM-R config. Each fails with a message naming the file and what is wrong, never a stack trace.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { concner } from "../support/cli.js"
import { removeTempDirs, tempDir } from "../support/tempDir.js"

afterAll(removeTempDirs)

const XLMR = fileURLToPath(new URL("../fixtures/xlmr/tiny", import.meta.url))

const broken = (edit: (dir: string) => void) => {
  const dir = tempDir("concner-hostile-xlmr-")
  cpSync(XLMR, dir, { recursive: true })
  edit(dir)
  return dir
}

const encode = (dir: string) =>
  concner(["encode", "--model", dir, "--backend", "cpu"], {
    input: "Peter lebt in Москва\n",
    limitMs: 60_000
  })

const fails = (run: { status: number | null; stdout: string; stderr: string }, message: RegExp) => {
  expect(run.status).toBe(1)
  expect(run.stdout).toBe("")
  expect(run.stderr).toMatch(message)
  expect(run.stderr).not.toMatch(/^\s+at /m)
}

describe("broken XLM-R folders", () => {
  it.effect("a good folder encodes: <s> … </s>, fairseq ids", () =>
    Effect.gen(function* () {
      const run = yield* encode(XLMR)
      expect(run.status).toBe(0)
      const line = JSON.parse(run.stdout.trim()) as { tokens: Array<string>; input_ids: Array<number> }
      expect(line.tokens[0]).toBe("<s>")
      expect(line.tokens.at(-1)).toBe("</s>")
      expect(line.input_ids[0]).toBe(0)
      expect(line.input_ids.at(-1)).toBe(2)
    })
  )

  it.effect("each broken folder fails naming the file and the fault", () =>
    Effect.gen(function* () {
      const missing = broken((dir) => rmSync(join(dir, "sentencepiece.bpe.model")))
      const withVocab = broken((dir) => {
        rmSync(join(dir, "sentencepiece.bpe.model"))
        writeFileSync(join(dir, "vocab.txt"), "[PAD]\n[UNK]\n[CLS]\n[SEP]\nPeter\n")
      })
      const tooSmall = broken((dir) => {
        const file = join(dir, "config.json")
        writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), vocab_size: 300 }))
      })
      const truncated = broken((dir) => {
        const file = join(dir, "sentencepiece.bpe.model")
        writeFileSync(file, readFileSync(file).subarray(0, 4000))
      })
      const [a, b, c, d] = yield* Effect.all([missing, withVocab, tooSmall, truncated].map(encode), {
        concurrency: 2
      })
      fails(a!, /no tokenizer: vocab\.txt \(BERT\) or sentencepiece\.bpe\.model \(XLM-R\) is needed/)
      fails(
        b!,
        /model_type is "xlm-roberta", which needs sentencepiece\.bpe\.model .* but the folder has vocab\.txt/
      )
      fails(c!, /sentencepiece\.bpe\.model: 517 tokens, but config\.json's vocab_size is 300/)
      fails(d!, /sentencepiece\.bpe\.model: not a usable SentencePiece model: broken protobuf/)
    })
  )
})
