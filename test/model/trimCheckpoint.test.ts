import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { bertEncoder } from "../../src/model/encoder.js"
import { EVAL } from "../../src/model/ops.js"
import { wordEmbeddingsKey } from "../../src/model/params.js"
import { trimModel } from "../../src/model/trimCheckpoint.js"
import { tf } from "../../src/runtime/tf.js"
import { BertTokenizer } from "../../src/text/bertTokenizer.js"
import { trimVocabulary } from "../../src/text/trimVocabulary.js"
import { parseVocab } from "../../src/text/vocab.js"
import { FIXTURE_DIR, loadFixture } from "./fixture.js"

const hidden = (
  params: Parameters<typeof bertEncoder>[0],
  config: Parameters<typeof bertEncoder>[1],
  ids: ReadonlyArray<number>
) =>
  tf.tidy(() => {
    const inputIds = tf.tensor2d([[...ids]], [1, ids.length], "int32")
    return bertEncoder(params, config, { inputIds, attentionMask: tf.onesLike(inputIds) }, EVAL).arraySync()
  })

describe("trimming a checkpoint's vocabulary", () => {
  it.scoped("keeps the hidden states of the corpora's sentences, with fewer embedding rows", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => tf.setBackend("cpu"))
      const { config, params, expected } = yield* loadFixture
      const vocab = Either.getOrThrow(parseVocab(readFileSync(`${FIXTURE_DIR}/vocab.txt`), "vocab.txt"))
      const corpus = expected.sentences.slice(0, 1).map((s) => s.tokens.slice(1, -1))
      const trimmed = trimVocabulary(vocab, [corpus])
      const before = tf.memory().numTensors
      const small = yield* trimModel(params, config, trimmed)
      expect(tf.memory().numTensors).toBe(before + 1) // the new embedding matrix only
      expect(small.config.vocabSize).toBe(trimmed.vocab.size)
      expect(small.config.vocabSize).toBeLessThan(config.vocabSize)
      expect(small.params[wordEmbeddingsKey(config)]!.shape).toEqual([trimmed.vocab.size, config.hiddenSize])
      expect(trimmed.vocab.tokens[small.config.padTokenId]).toBe("[PAD]")
      const full = new BertTokenizer(vocab).encodeWords(corpus[0]!)
      const cut = new BertTokenizer(trimmed.vocab).encodeWords(corpus[0]!)
      expect(cut.tokens).toEqual(full.tokens)
      expect(cut.inputIds).toEqual(full.inputIds.map((id) => trimmed.oldToNew[id]))
      const a = hidden(params, config, full.inputIds).flat(2)
      const b = hidden(small.params, small.config, cut.inputIds).flat(2)
      expect(Math.max(...a.map((x, i) => Math.abs(x - b[i]!)))).toBe(0)
    })
  )
})
