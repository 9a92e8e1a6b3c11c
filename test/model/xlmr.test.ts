/**
 * XLM-R (RoBERTa architecture) against PyTorch: test/fixtures/xlmr/generate.py re-implements HF's
 * XLM-R modules and wrote two random checkpoints — `tiny` (2 × 32, an `XLMRobertaForMaskedLM` with its
 * tied head, F32) and `small` (3 × 48, `XLMRobertaForTokenClassification`, F16) — with the float64
 * hidden states of a batch padded with `<pad>`. Also: their ids are the tokenizer's, a saved folder
 * re-loads bit-identically with HF's names, and a training step on XLM-R frees what it makes.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import { loadCheckpoint, saveCheckpoint } from "../../src/model/checkpoint.js"
import { tokenClassifier } from "../../src/model/classifier.js"
import { decodeBertConfig } from "../../src/model/config.js"
import { robertaPositionIds } from "../../src/model/embeddings.js"
import { bertEncoder } from "../../src/model/encoder.js"
import { loadModelFolder } from "../../src/model/modelFolder.js"
import { EVAL } from "../../src/model/ops.js"
import { readSafetensors } from "../../src/model/safetensors.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { tf } from "../../src/runtime/tf.js"
import { tokenizerFiles } from "../../src/text/Tokenizer.js"
import { maxAbsDiff } from "./fixture.js"

const TOLERANCE = 1e-4
const DIR = fileURLToPath(new URL("../fixtures/xlmr", import.meta.url))

interface Batch {
  readonly sentences: ReadonlyArray<string>
  readonly input_ids: Array<Array<number>>
  readonly attention_mask: Array<Array<number>>
  readonly hidden: ReadonlyArray<unknown>
  readonly logits?: ReadonlyArray<unknown>
}
const expected = (name: string): Batch =>
  (JSON.parse(readFileSync(`${DIR}/${name}/expected.json`, "utf8")) as { batch: Batch }).batch

const inputs = (batch: Batch) => ({
  inputIds: tf.tensor2d(batch.input_ids, undefined, "int32"),
  attentionMask: tf.tensor2d(batch.attention_mask, undefined, "int32")
})

for (const backend of ["cpu", "wasm"] as const) {
  layer(TensorRuntime.layer({ backend }))(`XLM-R on ${backend}`, (it) => {
    it.scoped("tiny (2 × 32, MLM checkpoint, tied head): PyTorch's hidden states on a padded batch", () =>
      Effect.gen(function* () {
        const { config, params, report } = yield* loadCheckpoint(`${DIR}/tiny`)
        expect(config.modelType).toBe("xlm-roberta")
        expect(config.layerNormEps).toBe(1e-5)
        expect(report.unused).toEqual(
          expect.arrayContaining(["lm_head.dense.weight", "lm_head.layer_norm.weight", "lm_head.bias"])
        )
        const batch = expected("tiny")
        expect(batch.attention_mask.some((row) => row.includes(0))).toBe(true)
        const diff = tf.tidy(() => maxAbsDiff(bertEncoder(params, config, inputs(batch), EVAL), batch.hidden))
        expect(diff).toBeLessThanOrEqual(TOLERANCE)
      }).pipe(Effect.provide(NodeContext.layer))
    )

    it.scoped("small (3 × 48, token classifier, F16 weights): hidden states and logits", () =>
      Effect.gen(function* () {
        const { config, params, report } = yield* loadCheckpoint(`${DIR}/small`)
        expect(report.widened).toEqual(["F16"])
        expect(report.classifier).toBe("loaded")
        const batch = expected("small")
        const [hidden, logits] = tf.tidy(() => {
          const out = tokenClassifier(params, config, inputs(batch), EVAL)
          return [maxAbsDiff(out.hidden, batch.hidden), maxAbsDiff(out.logits, batch.logits ?? [])]
        })
        expect(hidden).toBeLessThanOrEqual(TOLERANCE)
        expect(logits).toBeLessThanOrEqual(TOLERANCE)
      }).pipe(Effect.provide(NodeContext.layer))
    )
  })
}

// xlm-roberta-base's config.json as published with the model
const XLMR_BASE = {
  architectures: ["XLMRobertaForMaskedLM"],
  attention_probs_dropout_prob: 0.1,
  bos_token_id: 0,
  eos_token_id: 2,
  hidden_act: "gelu",
  hidden_dropout_prob: 0.1,
  hidden_size: 768,
  initializer_range: 0.02,
  intermediate_size: 3072,
  layer_norm_eps: 1e-5,
  max_position_embeddings: 514,
  model_type: "xlm-roberta",
  num_attention_heads: 12,
  num_hidden_layers: 12,
  output_past: true,
  pad_token_id: 1,
  type_vocab_size: 1,
  vocab_size: 250002
}

layer(TensorRuntime.layer({ backend: "cpu" }))("XLM-R folders", (it) => {
  it.effect("xlm-roberta-base's config.json decodes: 512 tokens, pad 1 (HF's default when absent)", () =>
    Effect.sync(() => {
      const config = Either.getOrThrow(decodeBertConfig(XLMR_BASE, "config.json"))
      expect([config.isRoberta, config.encoderPrefix, config.maxSequenceLength]).toEqual([
        true,
        "roberta.",
        512
      ])
      expect(config.architectureName("ForTokenClassification")).toBe("XLMRobertaForTokenClassification")
      const { pad_token_id: _, ...noPad } = XLMR_BASE
      expect(Either.getOrThrow(decodeBertConfig(noPad, "config.json")).padTokenId).toBe(1)
      expect(Either.getOrThrow(decodeBertConfig({ ...noPad, model_type: "bert" }, "c")).padTokenId).toBe(0)
    })
  )

  it.effect("count real tokens from pad + 1, padding keeps pad (HF create_position_ids_from_input_ids)", () =>
    Effect.sync(() => {
      const ids = tf.tensor2d(
        [
          [0, 5, 6, 2, 1, 1],
          [0, 7, 2, 1, 1, 1]
        ],
        undefined,
        "int32"
      )
      expect(robertaPositionIds(ids, 1).arraySync()).toEqual([
        [2, 3, 4, 5, 1, 1],
        [2, 3, 4, 1, 1, 1]
      ])
      tf.dispose(ids)
    })
  )
  it.scoped("the fixture's ids are what concner's tokenizer gives the sentences", () =>
    Effect.gen(function* () {
      const { tokenizer } = yield* loadModelFolder(`${DIR}/tiny`)
      const batch = expected("tiny")
      batch.sentences.forEach((text, i) => {
        const ids = tokenizer.encodeText(text).inputIds
        expect(batch.input_ids[i]!.slice(0, ids.length)).toEqual(ids)
      })
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("a saved token classifier has HF's names and files and re-loads bit-identically", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const { tokenizer } = yield* loadModelFolder(`${DIR}/tiny`)
      const { config, params } = yield* loadCheckpoint(`${DIR}/small`)
      const out = yield* fs.makeTempDirectoryScoped()
      const labels = config.labels ?? []
      yield* saveCheckpoint(out, { config, labels, params, ...tokenizerFiles(tokenizer) })
      expect((yield* fs.readDirectory(out)).sort()).toEqual([
        "config.json",
        "model.safetensors",
        "sentencepiece.bpe.model",
        "special_tokens_map.json",
        "tokenizer_config.json"
      ])
      const saved = JSON.parse(yield* fs.readFileString(`${out}/config.json`))
      expect(saved.model_type).toBe("xlm-roberta")
      expect(saved.architectures).toEqual(["XLMRobertaForTokenClassification"])
      expect(saved.layer_norm_eps).toBe(1e-5)
      expect(saved.type_vocab_size).toBe(1)
      expect(saved.pad_token_id).toBe(1)
      const tokenizerConfig = JSON.parse(yield* fs.readFileString(`${out}/tokenizer_config.json`))
      expect(tokenizerConfig.tokenizer_class).toBe("XLMRobertaTokenizer")
      const { tensors } = yield* readSafetensors(`${out}/model.safetensors`)
      const names = [...tensors.keys()]
      expect(names.every((n) => n.startsWith("roberta.") || n.startsWith("classifier."))).toBe(true)
      expect(names).toContain("roberta.embeddings.position_embeddings.weight")
      expect(yield* fs.readFile(`${out}/sentencepiece.bpe.model`)).toEqual(
        yield* fs.readFile(`${DIR}/tiny/sentencepiece.bpe.model`)
      )
      const again = yield* loadModelFolder(out)
      expect(again.tokenizer.kind).toBe("sentencepiece")
      expect(Object.keys(again.params).sort()).toEqual(Object.keys(params).sort())
      for (const [name, v] of Object.entries(params))
        expect(Buffer.from(again.params[name]!.dataSync().buffer)).toEqual(Buffer.from(v.dataSync().buffer))
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
