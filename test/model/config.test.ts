import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc } from "effect"
import {
  BertConfig,
  BertConfigError,
  decodeBertConfig,
  encodeBertConfig,
  loadBertConfig
} from "../../src/model/config.js"
import { FIXTURE_DIR } from "./fixture.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)

/** bert-base-multilingual-cased's config.json as published (pooler_* and directionality included). */
const MBERT = {
  architectures: ["BertForMaskedLM"],
  attention_probs_dropout_prob: 0.1,
  directionality: "bidi",
  hidden_act: "gelu",
  hidden_dropout_prob: 0.1,
  hidden_size: 768,
  initializer_range: 0.02,
  intermediate_size: 3072,
  layer_norm_eps: 1e-12,
  max_position_embeddings: 512,
  model_type: "bert",
  num_attention_heads: 12,
  num_hidden_layers: 12,
  pad_token_id: 0,
  pooler_fc_size: 768,
  pooler_num_attention_heads: 12,
  pooler_num_fc_layers: 3,
  pooler_size_per_head: 128,
  pooler_type: "first_token_pos",
  type_vocab_size: 2,
  vocab_size: 119547
}

const reason = (json: unknown) =>
  Either.match(decodeBertConfig(json, "config.json"), {
    onLeft: (e) => e.message,
    onRight: () => "decoded"
  })

describe("BertConfig", () => {
  it("decodes mBERT's config.json with HF's defaults for absent fields", () => {
    const config = Either.getOrThrow(decodeBertConfig(MBERT, "config.json"))
    expect(config.vocabSize).toBe(119547)
    expect(config.headSize).toBe(64)
    expect(config.positionEmbeddingType).toBe("absolute")
    expect(config.classifierDropoutProb).toBe(0.1)
    expect(config.labels).toBeUndefined()
  })

  it("takes HF's defaults for every field but model_type", () => {
    const config = Either.getOrThrow(decodeBertConfig({ model_type: "bert" }, "config.json"))
    expect(config.hiddenSize).toBe(768)
    expect(config.hiddenAct).toBe("gelu")
    expect(config.layerNormEps).toBe(1e-12)
    expect(config.initializerRange).toBe(0.02)
  })

  it.effect("loads the fixture's config.json with its labels", () =>
    Effect.gen(function* () {
      const config = yield* loadBertConfig(`${FIXTURE_DIR}/config.json`)
      expect(config.labels).toStrictEqual(["O", "B-PER", "I-PER"])
      expect(config.numHiddenLayers).toBe(2)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it("rejects what would change the numerics, naming the field", () => {
    expect(reason({ ...MBERT, model_type: "gpt2" })).toBe(
      'config.json: model_type "gpt2" is not supported (concner runs "bert", "roberta", "xlm-roberta")'
    )
    expect(reason({ ...MBERT, foo: 1, pooler_type: "x", bar: null })).toBe(
      "config.json: unknown config fields: foo, bar"
    )
    expect(reason({ ...MBERT, hidden_act: "swish" })).toMatch(/hidden_act "swish" is not supported/)
    expect(reason({ ...MBERT, position_embedding_type: "relative_key" })).toMatch(
      /position_embedding_type "relative_key"/
    )
    expect(reason({ ...MBERT, num_attention_heads: 10 })).toBe(
      "config.json: hidden_size 768 is not a multiple of num_attention_heads 10"
    )
    expect(reason({ ...MBERT, is_decoder: true })).toMatch(/is_decoder = true is not supported/)
    expect(reason({ ...MBERT, is_decoder: false, chunk_size_feed_forward: 0 })).toBe("decoded")
    expect(reason({ ...MBERT, vocab_size: "big" })).toMatch(/vocab_size/)
    expect(reason({ ...MBERT, hidden_dropout_prob: 1 })).toMatch(/hidden_dropout_prob/)
    expect(reason([1, 2])).toBe("config.json: expected a JSON object")
  })

  it("bounds every size, so a hostile config fails at once instead of enumerating a million layers", () => {
    const started = performance.now()
    expect(reason({ ...MBERT, num_hidden_layers: 1_000_000 })).toBe(
      "config.json: num_hidden_layers: 1000000 is larger than concner accepts (at most 256)"
    )
    expect(reason({ ...MBERT, vocab_size: 2 ** 40 })).toMatch(/^config.json: vocab_size: .*at most 1048576/)
    expect(reason({ ...MBERT, max_position_embeddings: 1e9 })).toMatch(/max_position_embeddings/)
    expect(reason({ ...MBERT, intermediate_size: 0 })).toMatch(/intermediate_size/)
    expect(reason({ ...MBERT, num_attention_heads: 1.5 })).toMatch(/num_attention_heads/)
    expect(reason({ ...MBERT, vocab_size: 1_000_000, hidden_size: 16_384, num_attention_heads: 16 })).toMatch(
      /parameters, more than concner can hold/
    )
    expect(performance.now() - started).toBeLessThan(1000)
  })

  it("checks that id2label and label2id agree", () => {
    expect(reason({ ...MBERT, id2label: { "0": "O", "2": "B-PER" } })).toMatch(/id2label keys must be 0..1/)
    expect(reason({ ...MBERT, id2label: { "0": "O", "1": "O" } })).toMatch(/duplicate labels/)
    expect(reason({ ...MBERT, id2label: { "0": "O", "1": "B" }, label2id: { O: 1, B: 0 } })).toMatch(
      /is not the inverse of id2label/
    )
    expect(reason({ ...MBERT, label2id: { O: 0 } })).toBe("config.json: label2id given without id2label")
    expect(reason({ ...MBERT, id2label: { "0": "O" }, num_labels: 2 })).toBe(
      "config.json: num_labels 2 disagrees with id2label's 1 labels"
    )
  })

  it("withLabels writes what BertForTokenClassification.save_pretrained writes", () => {
    const config = Either.getOrThrow(decodeBertConfig(MBERT, "config.json")).withLabels(["O", "B-LOC"])
    const json = encodeBertConfig(config)
    expect(json.architectures).toStrictEqual(["BertForTokenClassification"])
    expect(json.id2label).toStrictEqual({ "0": "O", "1": "B-LOC" })
    expect(json.label2id).toStrictEqual({ O: 0, "B-LOC": 1 })
    expect(json.hidden_size).toBe(768)
  })

  const configs = fc
    .record({
      heads: fc.integer({ min: 1, max: 16 }),
      headSize: fc.integer({ min: 1, max: 64 }),
      layers: fc.integer({ min: 1, max: 24 }),
      vocab: fc.integer({ min: 1, max: 200_000 }),
      act: fc.constantFrom("gelu" as const, "gelu_new" as const, "relu" as const),
      drop: fc.double({ min: 0, max: 0.99, noNaN: true }),
      eps: fc.double({ min: 1e-14, max: 1e-3, noNaN: true }),
      labels: fc.option(fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 9 }), {
        nil: undefined
      })
    })
    .map(({ heads, headSize, layers, vocab, act, drop, eps, labels }) => {
      const base = Either.getOrThrow(
        decodeBertConfig(
          {
            model_type: "bert",
            num_attention_heads: heads,
            hidden_size: heads * headSize,
            num_hidden_layers: layers,
            vocab_size: vocab,
            hidden_act: act,
            hidden_dropout_prob: drop,
            layer_norm_eps: eps
          },
          "config.json"
        )
      )
      return labels === undefined ? base : base.withLabels(labels)
    })

  it.prop(
    "decode ∘ encode is the identity",
    [configs],
    ([config]) => {
      const again = decodeBertConfig(JSON.parse(JSON.stringify(encodeBertConfig(config))), "config.json")
      expect(again).toStrictEqual(Either.right(config))
    },
    { fastCheck: { numRuns, seed: 4 } }
  )

  it("errors carry the file", () => {
    const error = Either.flip(decodeBertConfig({ model_type: "gpt2" }, "/m/config.json")).pipe(
      Either.getOrThrow
    )
    expect(error).toBeInstanceOf(BertConfigError)
    expect(error.file).toBe("/m/config.json")
    expect(new BertConfig({ ...Either.getOrThrow(decodeBertConfig(MBERT, "c")) }).hiddenSize).toBe(768)
  })
})
