import { join } from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import { loadCheckpoint, mapTensorName, saveCheckpoint } from "../../src/model/checkpoint.js"
import { type BertConfig, decodeBertConfig } from "../../src/model/config.js"
import {
  CheckpointLabelsMismatch,
  CheckpointMismatch,
  CheckpointNameCollision,
  InvalidVocabulary
} from "../../src/model/errors.js"
import { floatBitsToHalf, halfBitsToFloat } from "../../src/model/half.js"
import { type BertParams, disposeParams, expectedShapes, initParams } from "../../src/model/params.js"
import { decodeSafetensors, encodeSafetensors } from "../../src/model/safetensors.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { tf } from "../../src/runtime/tf.js"

const tinyJson = {
  model_type: "bert",
  vocab_size: 12,
  hidden_size: 4,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 8,
  max_position_embeddings: 16,
  type_vocab_size: 2
}
const tiny: BertConfig = Either.getOrThrow(decodeBertConfig(tinyJson, "tiny"))
const LABELS = ["O", "B-PER", "I-PER"]
const VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "##c", "Zürich", "日", ",", "##ü"]

/** Seeded, with distinct values everywhere (HF init zeroes biases, which would hide a mix-up). */
const freshParams = (seed: number): BertParams => {
  const params = initParams(tiny, LABELS.length, seed)
  tf.tidy(() => {
    for (const [key, v] of Object.entries(params))
      v.assign(tf.randomNormal(v.shape, 0, 1, "float32", seed + key.length))
  })
  return params
}
const scoped = (seed: number) =>
  Effect.acquireRelease(
    Effect.sync(() => freshParams(seed)),
    (p) => Effect.sync(() => disposeParams(p))
  )

const valuesOf = (params: BertParams) =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.from(v.dataSync())]))

/** Writes a folder with `config` and float tensors named as given (possibly HF-era names). */
const writeFolder = (
  dir: string,
  config: object,
  tensors: ReadonlyMap<string, Float32Array>,
  shapes: Record<string, ReadonlyArray<number>>
) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    yield* fs.makeDirectory(dir, { recursive: true })
    yield* fs.writeFileString(join(dir, "config.json"), JSON.stringify(config))
    const bytes = Either.getOrThrow(
      encodeSafetensors(
        new Map([...tensors].map(([k, data]) => [k, { shape: shapes[k]!, data }])),
        { format: "pt" },
        "F32"
      )
    )
    yield* fs.writeFile(join(dir, "model.safetensors"), bytes)
  })

/** Every tensor of the tiny model (with or without head), filled with its index, under `rename(key)`. */
const tinyTensors = (numLabels: number | undefined, rename: (key: string) => string = (k) => k) => {
  const shapes = expectedShapes(tiny, numLabels)
  const tensors = new Map<string, Float32Array>()
  const renamedShapes: Record<string, ReadonlyArray<number>> = {}
  Object.entries(shapes).forEach(([key, shape], i) => {
    tensors.set(rename(key), new Float32Array(shape.reduce((a, d) => a * d, 1)).fill(i))
    renamedShapes[rename(key)] = shape
  })
  return { tensors, shapes: renamedShapes }
}

describe("mapTensorName", () => {
  it("maps HF names onto parameters, TF-era and bare-encoder names included", () => {
    expect(mapTensorName("bert.encoder.layer.0.attention.self.query.weight")).toStrictEqual({
      kind: "param",
      param: "bert.encoder.layer.0.attention.self.query.weight",
      renamed: false
    })
    expect(mapTensorName("encoder.layer.0.output.LayerNorm.gamma")).toStrictEqual({
      kind: "param",
      param: "bert.encoder.layer.0.output.LayerNorm.weight",
      renamed: true
    })
    expect(mapTensorName("bert.embeddings.LayerNorm.beta")).toStrictEqual({
      kind: "param",
      param: "bert.embeddings.LayerNorm.bias",
      renamed: true
    })
    expect(mapTensorName("classifier.weight")).toStrictEqual({
      kind: "param",
      param: "classifier.weight",
      renamed: false
    })
    for (const unused of [
      "bert.pooler.dense.weight",
      "pooler.dense.bias",
      "cls.predictions.transform.dense.weight",
      "cls.seq_relationship.bias",
      "bert.embeddings.position_ids"
    ])
      expect(mapTensorName(unused)).toStrictEqual({ kind: "unused" })
  })
})

layer(Layer.mergeAll(NodeContext.layer, TensorRuntime.layer({ backend: "cpu" })))(
  "checkpoint folders",
  (it) => {
    it.scoped("save then load gives back every parameter, and the folder is what HF expects", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = join(yield* fs.makeTempDirectoryScoped(), "out")
        const params = yield* scoped(7)
        yield* saveCheckpoint(dir, { config: tiny, labels: LABELS, params, vocab: VOCAB })
        expect((yield* fs.readDirectory(dir)).sort()).toStrictEqual([
          "config.json",
          "model.safetensors",
          "special_tokens_map.json",
          "tokenizer_config.json",
          "vocab.txt"
        ])
        const config = JSON.parse(yield* fs.readFileString(join(dir, "config.json")))
        expect(config).toMatchObject({
          model_type: "bert",
          architectures: ["BertForTokenClassification"],
          id2label: { "0": "O", "1": "B-PER", "2": "I-PER" },
          label2id: { O: 0, "B-PER": 1, "I-PER": 2 },
          vocab_size: 12,
          hidden_size: 4
        })
        expect(config).not.toHaveProperty("num_labels")
        expect(JSON.parse(yield* fs.readFileString(join(dir, "tokenizer_config.json")))).toMatchObject({
          tokenizer_class: "BertTokenizer",
          do_lower_case: false,
          model_max_length: 16
        })
        expect(JSON.parse(yield* fs.readFileString(join(dir, "special_tokens_map.json")))).toStrictEqual({
          unk_token: "[UNK]",
          sep_token: "[SEP]",
          pad_token: "[PAD]",
          cls_token: "[CLS]",
          mask_token: "[MASK]"
        })
        expect(yield* fs.readFileString(join(dir, "vocab.txt"))).toBe(`${VOCAB.join("\n")}\n`)
        const weights = Either.getOrThrow(
          decodeSafetensors(yield* fs.readFile(join(dir, "model.safetensors")), "w")
        )
        expect(weights.metadata).toStrictEqual({ format: "pt" }) // transformers refuses a file without it
        expect([...weights.tensors.keys()].sort()).toStrictEqual(Object.keys(expectedShapes(tiny, 3)).sort())

        const loaded = yield* loadCheckpoint(dir)
        expect(valuesOf(loaded.params)).toStrictEqual(valuesOf(params))
        expect(loaded.config.labels).toStrictEqual(LABELS)
        expect(loaded.report).toMatchObject({
          encoderPrefix: true,
          renamed: [],
          unused: [],
          classifier: "loaded",
          widened: []
        })
      })
    )

    it.scoped("saves F16 weights, which load back rounded to half precision", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const params = yield* scoped(8)
        yield* saveCheckpoint(dir, { config: tiny, labels: LABELS, params, vocab: VOCAB, dtype: "F16" })
        const loaded = yield* loadCheckpoint(dir)
        expect(loaded.report.widened).toStrictEqual(["F16"])
        const half = (x: number) =>
          halfBitsToFloat(floatBitsToHalf(new Uint32Array(Float32Array.of(x).buffer)[0]!))
        for (const [key, v] of Object.entries(params))
          expect(Array.from(loaded.params[key]!.dataSync())).toStrictEqual(Array.from(v.dataSync(), half))
      })
    )

    it.scoped("loads a bare BertModel file with TF-era names, reporting what it adapted and left out", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const bare = (key: string) =>
          key
            .replace(/^bert\./, "")
            .replace(/LayerNorm\.weight$/, "LayerNorm.gamma")
            .replace(/LayerNorm\.bias$/, "LayerNorm.beta")
        const { tensors, shapes } = tinyTensors(undefined, bare)
        tensors.set("pooler.dense.weight", new Float32Array(16))
        shapes["pooler.dense.weight"] = [4, 4]
        tensors.set("cls.predictions.bias", new Float32Array(12))
        shapes["cls.predictions.bias"] = [12]
        yield* writeFolder(dir, tinyJson, tensors, shapes)
        const loaded = yield* loadCheckpoint(dir, { labels: LABELS })
        expect(loaded.report.encoderPrefix).toBe(false)
        expect(loaded.report.classifier).toBe("absent")
        expect(loaded.report.unused).toStrictEqual(["cls.predictions.bias", "pooler.dense.weight"])
        expect(loaded.report.renamed).toContainEqual([
          "embeddings.LayerNorm.gamma",
          "bert.embeddings.LayerNorm.weight"
        ])
        expect(loaded.report.renamed).toHaveLength(2 + 2 * 2 * 2) // embeddings + 2 per layer, weight and bias each
        expect(Object.keys(loaded.params).sort()).toStrictEqual(Object.keys(expectedShapes(tiny)).sort())
        const index = Object.keys(expectedShapes(tiny)).indexOf("bert.encoder.layer.1.output.LayerNorm.bias")
        expect(
          Array.from(loaded.params["bert.encoder.layer.1.output.LayerNorm.bias"]!.dataSync())
        ).toStrictEqual([index, index, index, index])
        expect(loaded.config.labels).toStrictEqual(LABELS)
      })
    )

    it.effect("releases every variable when the scope closes", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectory()
        const { tensors, shapes } = tinyTensors(3)
        yield* writeFolder(
          dir,
          { ...tinyJson, id2label: { 0: "O", 1: "B-PER", 2: "I-PER" } },
          tensors,
          shapes
        )
        const before = tf.memory().numTensors
        const count = yield* Effect.scoped(
          Effect.map(loadCheckpoint(dir), ({ params }) => {
            expect(tf.memory().numTensors).toBe(before + Object.keys(params).length)
            return Object.keys(params).length
          })
        )
        expect(count).toBe(Object.keys(shapes).length)
        expect(tf.memory().numTensors).toBe(before)
        yield* fs.remove(dir, { recursive: true })
      })
    )

    describe("disagreements fail with a tagged error naming the file", () => {
      const failure = (
        config: object,
        tensors: ReadonlyMap<string, Float32Array>,
        shapes: Record<string, ReadonlyArray<number>>,
        labels?: ReadonlyArray<string>
      ) =>
        Effect.gen(function* () {
          const fs = yield* FileSystem.FileSystem
          const dir = yield* fs.makeTempDirectoryScoped()
          yield* writeFolder(dir, config, tensors, shapes)
          const error = yield* Effect.flip(loadCheckpoint(dir, labels === undefined ? {} : { labels }))
          expect(error.message).toContain(join(dir, "model.safetensors"))
          return error
        })

      it.scoped("missing, unexpected and misshapen tensors", () =>
        Effect.gen(function* () {
          const { tensors, shapes } = tinyTensors(undefined)
          tensors.delete("bert.encoder.layer.1.intermediate.dense.bias")
          tensors.set("bert.encoder.layer.2.output.dense.bias", new Float32Array(4))
          shapes["bert.encoder.layer.2.output.dense.bias"] = [4]
          shapes["bert.embeddings.token_type_embeddings.weight"] = [4, 2]
          const error = yield* failure(tinyJson, tensors, shapes)
          expect(error).toBeInstanceOf(CheckpointMismatch)
          expect(error).toMatchObject({
            missing: ["bert.encoder.layer.1.intermediate.dense.bias"],
            unexpected: ["bert.encoder.layer.2.output.dense.bias"],
            shapes: [
              { name: "bert.embeddings.token_type_embeddings.weight", expected: [2, 4], actual: [4, 2] }
            ]
          })
        })
      )

      it.scoped("half a classifier is missing the other half", () =>
        Effect.gen(function* () {
          const { tensors, shapes } = tinyTensors(3)
          tensors.delete("classifier.bias")
          const error = yield* failure(tinyJson, tensors, shapes, LABELS)
          expect(error).toMatchObject({ _tag: "CheckpointMismatch", missing: ["classifier.bias"] })
        })
      )

      it.scoped("two tensors for one parameter", () =>
        Effect.gen(function* () {
          const { tensors, shapes } = tinyTensors(undefined)
          tensors.set("embeddings.LayerNorm.gamma", new Float32Array(4))
          shapes["embeddings.LayerNorm.gamma"] = [4]
          const error = yield* failure(tinyJson, tensors, shapes)
          expect(error).toBeInstanceOf(CheckpointNameCollision)
          expect(error).toMatchObject({ param: "bert.embeddings.LayerNorm.weight" })
        })
      )

      it.scoped("a classifier trained for other labels", () =>
        Effect.gen(function* () {
          const { tensors, shapes } = tinyTensors(3)
          const config = { ...tinyJson, id2label: { 0: "O", 1: "B-LOC", 2: "I-LOC" } }
          const error = yield* failure(config, tensors, shapes, LABELS)
          expect(error).toStrictEqual(
            new CheckpointLabelsMismatch({
              file: (error as CheckpointLabelsMismatch).file,
              checkpointLabels: ["O", "B-LOC", "I-LOC"],
              requestedLabels: LABELS
            })
          )
        })
      )
    })

    describe("saving refuses what would not load back", () => {
      it.scoped("weights that do not match the config", () =>
        Effect.gen(function* () {
          const fs = yield* FileSystem.FileSystem
          const dir = yield* fs.makeTempDirectoryScoped()
          const params = yield* scoped(9)
          const error = yield* Effect.flip(
            saveCheckpoint(dir, { config: tiny, labels: ["O", "B-PER"], params, vocab: VOCAB })
          )
          expect(error).toMatchObject({
            _tag: "CheckpointMismatch",
            shapes: [
              { name: "classifier.weight", expected: [2, 4], actual: [3, 4] },
              { name: "classifier.bias", expected: [2], actual: [3] }
            ]
          })
          expect(yield* fs.readDirectory(dir)).toStrictEqual([])
        })
      )

      it.scoped("a vocabulary vocab.txt cannot hold", () =>
        Effect.gen(function* () {
          const fs = yield* FileSystem.FileSystem
          const dir = yield* fs.makeTempDirectoryScoped()
          const params = yield* scoped(10)
          const save = (vocab: ReadonlyArray<string>) =>
            Effect.flip(saveCheckpoint(dir, { config: tiny, labels: LABELS, params, vocab }))
          expect(yield* save(VOCAB.slice(1))).toMatchObject({ _tag: "InvalidVocabulary", line: undefined })
          const broken = [...VOCAB.slice(0, 11), "x\ny"]
          expect(yield* save(broken)).toStrictEqual(
            new InvalidVocabulary({
              file: join(dir, "vocab.txt"),
              line: 12,
              token: "x\ny",
              reason: "a token must be non-empty and hold no line break"
            })
          )
          expect(yield* save(VOCAB.map((t) => (t === "[UNK]" ? "unk" : t)))).toMatchObject({ token: "[UNK]" })
        })
      )
    })
  }
)
