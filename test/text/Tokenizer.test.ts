import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { Tokenizer, casedTokenizerConfig, loadTokenizer } from "../../src/text/Tokenizer.js"
import {
  InvalidTokenizerConfig,
  MissingSpecialToken,
  UnsupportedTokenizerConfig
} from "../../src/text/errors.js"
import { formatVocab } from "../../src/text/vocab.js"
import { tinyVocab } from "./fixture.js"

// a model directory with the fixture vocabulary and the given tokenizer_config.json (none when undefined)
const modelDir = (config: string | undefined, vocab = formatVocab(tinyVocab)) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped()
    yield* fs.writeFileString(`${dir}/vocab.txt`, vocab)
    if (config !== undefined) yield* fs.writeFileString(`${dir}/tokenizer_config.json`, config)
    return dir
  })

layer(NodeContext.layer)("Tokenizer", (it) => {
  it.scoped("fromModelDir provides the directory's tokenizer", () =>
    Effect.gen(function* () {
      const dir = yield* modelDir(JSON.stringify(casedTokenizerConfig))
      const tokens = yield* Effect.map(Tokenizer, (t) => t.encodeText("Köln, 中国!").tokens).pipe(
        Effect.provide(Tokenizer.fromModelDir(dir).pipe(Layer.provide(NodeContext.layer)))
      )
      expect(tokens).toEqual(["[CLS]", "Köln", ",", "中", "国", "!", "[SEP]"])
    })
  )

  it.scoped("assumes the cased settings when tokenizer_config.json is absent", () =>
    Effect.gen(function* () {
      const tokenizer = yield* loadTokenizer(yield* modelDir(undefined))
      expect(tokenizer.vocab.tokens).toEqual(tinyVocab.tokens)
    })
  )

  it.scoped("refuses an uncased model instead of tokenizing it wrongly", () =>
    Effect.gen(function* () {
      const dir = yield* modelDir('{"do_lower_case": true, "model_max_length": 512}')
      const error = yield* Effect.flip(loadTokenizer(dir))
      expect(error).toStrictEqual(
        new UnsupportedTokenizerConfig({
          file: `${dir}/tokenizer_config.json`,
          option: "do_lower_case",
          value: "true",
          reason: "only cased models are supported"
        })
      )
    })
  )

  it.scoped("reports a malformed tokenizer_config.json", () =>
    Effect.gen(function* () {
      const dir = yield* modelDir('{"do_lower_case": "no"}')
      const error = yield* Effect.flip(loadTokenizer(dir))
      expect(error).toBeInstanceOf(InvalidTokenizerConfig)
      expect(error.message).toContain(`${dir}/tokenizer_config.json: `)
      expect(error.message).toContain("do_lower_case")
    })
  )

  it.scoped("fails with vocab.txt's path when it lacks a special token", () =>
    Effect.gen(function* () {
      const dir = yield* modelDir(undefined, "[PAD]\n[UNK]\n[CLS]\n")
      expect(yield* Effect.flip(loadTokenizer(dir))).toStrictEqual(
        new MissingSpecialToken({ file: `${dir}/vocab.txt`, token: "[SEP]" })
      )
    })
  )
})
