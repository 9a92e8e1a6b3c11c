/**
 * The shipped encoder (`models/concner-small`): small enough to commit, loadable as an encoder for
 * training, and pretrained — its masked-LM head recovers masked German words (test-split text, which
 * pretraining never reads) better than the best unigram guess (always the most frequent masked
 * token) does on the same positions.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import { Corpora } from "../../src/data/Corpora.js"
import { loadCheckpoint } from "../../src/model/checkpoint.js"
import { MLM_PREFIX, mlmHeadShapes, scopedParams } from "../../src/model/params.js"
import { readSafetensors } from "../../src/model/safetensors.js"
import { shippedEncoder } from "../../src/model/shipped.js"
import { fixedBatches, mlmExample } from "../../src/pretrain/examples.js"
import { evaluateMlm } from "../../src/pretrain/mlmStep.js"
import { maskingFor } from "../../src/pretrain/pretraining.js"
import { PretrainSettings } from "../../src/pretrain/settings.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { tf } from "../../src/runtime/tf.js"
import { loadTokenizer } from "../../src/text/Tokenizer.js"
import { dataRoot, hasData } from "../support/data.js"

const MAX_BYTES = 25 * 2 ** 20

layer(Layer.mergeAll(NodeContext.layer, TensorRuntime.layer({ backend: "wasm" }), Corpora.at(dataRoot)))(
  "the shipped encoder",
  (it) => {
    it.scoped("is committed as an F16 BertForMaskedLM of at most 25 MiB with its model card", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* shippedEncoder()
        let bytes = 0
        for (const f of yield* fs.readDirectory(dir))
          bytes += Number((yield* fs.stat(path.join(dir, f))).size)
        expect(bytes).toBeLessThanOrEqual(MAX_BYTES)
        const card = yield* fs.readFileString(path.join(dir, "MODEL_CARD.md"))
        expect(card).toContain("commit")
        const config = JSON.parse(yield* fs.readFileString(path.join(dir, "config.json")))
        expect(config.architectures).toStrictEqual(["BertForMaskedLM"])
        const loaded = yield* loadCheckpoint(dir, { labels: ["O", "B-PER", "I-PER"] })
        expect(loaded.report.widened).toStrictEqual(["F16"])
        expect(loaded.report.classifier).toBe("absent")
      })
    )

    describe.skipIf(!hasData)("on German test text (never seen in pretraining)", () => {
      it.scoped("predicts masked words better than the best unigram guess", () =>
        Effect.gen(function* () {
          const dir = yield* shippedEncoder()
          const { config, params } = yield* loadCheckpoint(dir)
          const { tensors } = yield* readSafetensors(path.join(dir, "model.safetensors"))
          const head = yield* scopedParams(() =>
            Object.fromEntries(
              Object.entries(mlmHeadShapes(config)).map(([name, shape]) => {
                const t = tensors.get(name)
                if (t === undefined) throw new Error(`${MLM_PREFIX} tensor ${name} missing`)
                return [name, tf.variable(tf.tensor(t.data as Float32Array, [...shape], "float32"))]
              })
            )
          )
          const tokenizer = yield* loadTokenizer(dir)
          if (tokenizer.kind !== "wordpiece") throw new Error("the shipped encoder is a WordPiece model")
          const masking = Either.getOrThrow(maskingFor(tokenizer, PretrainSettings.make({ model: {} })))
          const corpora = yield* Corpora
          const text = (yield* corpora.load({ corpus: "conll", lang: "de", split: "test" })).sentences
          const examples = text.slice(0, 120).map((s) => mlmExample(tokenizer, s.tokens, 64))
          const batches = fixedBatches(examples, "de", { batchSize: 32, masking, padId: config.padTokenId })
          const { accuracy, predicted } = evaluateMlm({ ...params, ...head }, config, batches)
          const counts = new Map<number, number>()
          for (const b of batches) for (const y of b.labels) counts.set(y, (counts.get(y) ?? 0) + 1)
          const unigram = Math.max(...counts.values()) / predicted
          expect(predicted).toBeGreaterThan(200)
          expect(accuracy).toBeGreaterThan(unigram + 0.02)
        })
      )
    })
  }
)
