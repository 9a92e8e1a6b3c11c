import { expect, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import { decodeBertConfig } from "../../src/model/config.js"
import {
  countParams,
  disposeParams,
  expectedShapes,
  initParams,
  scopedParams
} from "../../src/model/params.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { tf } from "../../src/runtime/tf.js"

const config = Either.getOrThrow(
  decodeBertConfig(
    {
      model_type: "bert",
      vocab_size: 300,
      hidden_size: 32,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      intermediate_size: 64,
      max_position_embeddings: 40,
      pad_token_id: 3,
      initializer_range: 0.05
    },
    "config.json"
  )
)

const values = (t: tf.Tensor) => Array.from(t.dataSync())

layer(TensorRuntime.layer({ backend: "cpu" }))("BERT parameters", (it) => {
  it("expectedShapes names HF BertForTokenClassification's tensors (no pooler)", () => {
    const shapes = expectedShapes(config, 3)
    // 5 embedding tensors + 16 per layer + 2 classifier
    expect(Object.keys(shapes)).toHaveLength(5 + 16 * 2 + 2)
    expect(shapes["bert.embeddings.word_embeddings.weight"]).toStrictEqual([300, 32])
    expect(shapes["bert.encoder.layer.1.intermediate.dense.weight"]).toStrictEqual([64, 32])
    expect(shapes["bert.encoder.layer.1.output.dense.weight"]).toStrictEqual([32, 64])
    expect(shapes["bert.encoder.layer.0.attention.output.LayerNorm.bias"]).toStrictEqual([32])
    expect(shapes["classifier.weight"]).toStrictEqual([3, 32])
    expect(Object.keys(expectedShapes(config)).some((k) => k.startsWith("classifier"))).toBe(false)
    expect(Object.keys(shapes).some((k) => k.includes("pooler"))).toBe(false)
  })

  it("initialises like HF _init_weights: N(0, initializer_range), zero biases, LayerNorm 1/0, zero padding row", () => {
    const params = initParams(config, 3, 11)
    const shapes = expectedShapes(config, 3)
    for (const [key, shape] of Object.entries(shapes)) expect(params[key]!.shape).toStrictEqual(shape)
    expect(new Set(values(params["bert.embeddings.LayerNorm.weight"]!))).toStrictEqual(new Set([1]))
    expect(new Set(values(params["bert.encoder.layer.1.output.LayerNorm.bias"]!))).toStrictEqual(new Set([0]))
    expect(new Set(values(params["bert.encoder.layer.0.attention.self.query.bias"]!))).toStrictEqual(
      new Set([0])
    )
    const words = params["bert.embeddings.word_embeddings.weight"]!.arraySync() as number[][]
    expect(new Set(words[3])).toStrictEqual(new Set([0]))
    expect(words[2]!.some((x) => x !== 0)).toBe(true)
    const w = values(params["bert.embeddings.word_embeddings.weight"]!)
    const std = Math.sqrt(w.reduce((s, x) => s + x * x, 0) / (w.length - 32))
    expect(std).toBeGreaterThan(0.045)
    expect(std).toBeLessThan(0.055)
    expect(countParams(params)).toBe(
      Object.values(shapes).reduce((n, s) => n + s.reduce((a, b) => a * b, 1), 0)
    )
    disposeParams(params)
  })

  it("is a function of the seed", () => {
    const key = "bert.encoder.layer.1.attention.self.key.weight"
    const [a, b, c] = [5, 5, 6].map((seed) => {
      const p = initParams(config, 3, seed)
      const v = values(p[key]!)
      disposeParams(p)
      return v
    })
    expect(a).toStrictEqual(b)
    expect(a).not.toStrictEqual(c)
  })

  it.scoped("scopedParams frees every variable when the scope closes", () =>
    Effect.gen(function* () {
      const before = tf.memory().numTensors
      yield* Effect.scoped(
        Effect.gen(function* () {
          const params = yield* scopedParams(() => initParams(config, 2, 1))
          expect(tf.memory().numTensors).toBe(before + Object.keys(params).length)
        })
      )
      expect(tf.memory().numTensors).toBe(before)
    })
  )
})
