/**
 * The pretraining machinery on a tiny config (1 layer, hidden 32) and synthetic text: the loss falls,
 * a step leaves numTensors unchanged, an interrupted run resumes with identical losses, and the
 * output is an HF `BertForMaskedLM` folder that `loadCheckpoint` reads as an encoder.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Data, Effect, Either, Exit, Layer } from "effect"
import { loadCheckpoint } from "../../src/model/checkpoint.js"
import { initParams, initShapes, mlmHeadShapes, scopedParams } from "../../src/model/params.js"
import { readSafetensors } from "../../src/model/safetensors.js"
import {
  type ExampleGroup,
  drawBatch,
  groupShares,
  mlmExample,
  tlmExample
} from "../../src/pretrain/examples.js"
import { pretrainStep } from "../../src/pretrain/mlmStep.js"
import { MODEL_CARD_FILE, maskingFor, runPretraining } from "../../src/pretrain/pretraining.js"
import { PretrainSettings, decodePretrainConfig } from "../../src/pretrain/settings.js"
import type { PretrainData } from "../../src/pretrain/sources.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { tf } from "../../src/runtime/tf.js"
import { BertTokenizer } from "../../src/text/bertTokenizer.js"
import { Vocab } from "../../src/text/vocab.js"
import { trainVocabularyOnTokens } from "../../src/text/vocabTrain.js"
import { makeAdamW } from "../../src/train/adamw.js"

// a small "language" with regular sentences, so a few steps visibly lower the loss
const subjects = ["the cat", "a dog", "the bird", "my friend", "our teacher"]
const verbs = ["sees", "likes", "finds", "follows"]
const objects = ["the ball", "a house", "the river", "some bread"]
const english = subjects.flatMap((s) =>
  verbs.flatMap((v) => objects.map((o) => `${s} ${v} ${o} .`.split(" ")))
)
const german = english.map((words) => words.map((w) => `${w}en`))

const vocabTokens = Either.getOrThrow(trainVocabularyOnTokens([...english, ...german], { size: 120 }))
const tokenizer = new BertTokenizer(Either.getOrThrow(Vocab.make(vocabTokens, "<synthetic vocab>")))
const { settings, model } = Either.getOrThrow(
  decodePretrainConfig(
    {
      model: {
        model_type: "bert",
        hidden_size: 32,
        num_hidden_layers: 1,
        num_attention_heads: 2,
        intermediate_size: 64,
        max_position_embeddings: 64
      },
      seed: 3,
      batchSize: 8,
      maxLength: 32,
      lr: 1e-2,
      warmupSteps: 0,
      stateEvery: 3,
      heldOut: 10
    },
    "<test config>",
    tokenizer.vocab.size
  )
)

const groups: ReadonlyArray<ExampleGroup> = [
  { name: "en", kind: "mlm", examples: english.map((w) => mlmExample(tokenizer, w, 32)) },
  { name: "de", kind: "mlm", examples: german.map((w) => mlmExample(tokenizer, w, 32)) },
  { name: "en-de", kind: "tlm", examples: english.map((w, i) => tlmExample(tokenizer, w, german[i]!, 32)) }
]
const data: PretrainData = {
  groups,
  heldOut: [{ lang: "de", examples: groups[1]!.examples.slice(0, 10) }],
  files: [],
  root: "/",
  counts: [{ source: "synthetic", sentences: english.length }]
}

class Interrupted extends Data.TaggedError("Interrupted")<{ readonly step: number }> {}

const lossesOf = (metrics: string) =>
  metrics
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => (JSON.parse(l) as { loss: number }).loss)

layer(Layer.mergeAll(NodeContext.layer, TensorRuntime.layer({ backend: "cpu" })))("pretraining", (it) => {
  it.scoped("a step leaves numTensors unchanged", () =>
    Effect.gen(function* () {
      const params = yield* scopedParams(() => ({
        ...initParams(model, undefined, 1),
        ...initShapes(model, mlmHeadShapes(model), 1)
      }))
      const optimizer = yield* makeAdamW(params)
      const masking = Either.getOrThrow(maskingFor(tokenizer, settings))
      const shares = groupShares(groups, 0.7)
      const batchOptions = { seed: 1, batchSize: 4, masking, padId: 0 }
      const step = (i: number) =>
        Either.getOrThrow(
          pretrainStep(
            { params, config: model, optimizer },
            { run: "t", seed: 1 },
            drawBatch(groups, shares, batchOptions, i),
            i,
            1e-3
          )
        )
      step(0)
      const before = tf.memory().numTensors
      step(1)
      step(2)
      expect(tf.memory().numTensors).toBe(before)
    })
  )

  it.scoped("a few steps lower the MLM loss; an interrupted run resumes with identical losses", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const straight = path.join(dir, "straight")
      const resumed = path.join(dir, "resumed")
      const steps = 16
      const common = { settings, model, tokenizer, data, steps, backend: tf.getBackend() }
      yield* Effect.scoped(runPretraining({ ...common, out: straight, resume: false }))
      const losses = lossesOf(yield* fs.readFileString(path.join(straight, "run/metrics.jsonl")))
      expect(losses).toHaveLength(steps)
      const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length
      expect(mean(losses.slice(-3))).toBeLessThan(mean(losses.slice(0, 3)) - 0.3)

      // stop after step 7 (index 7): the state was last written after 6 steps, steps 6 and 7 are redone
      const exit = yield* Effect.exit(
        Effect.scoped(
          runPretraining({
            ...common,
            out: resumed,
            resume: false,
            onStep: (r) => (r.step === 7 ? Effect.fail(new Interrupted({ step: r.step })) : Effect.void)
          })
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      yield* Effect.scoped(runPretraining({ ...common, out: resumed, resume: true }))
      const again = lossesOf(yield* fs.readFileString(path.join(resumed, "run/metrics.jsonl")))
      expect(again).toStrictEqual(losses)

      // the output: a BertForMaskedLM folder, loadable as an encoder, with its card
      const config = JSON.parse(yield* fs.readFileString(path.join(straight, "config.json")))
      expect(config.architectures).toStrictEqual(["BertForMaskedLM"])
      const { tensors } = yield* readSafetensors(path.join(straight, "model.safetensors"))
      expect([...tensors.keys()].filter((k) => k.startsWith("cls.")).sort()).toStrictEqual(
        Object.keys(mlmHeadShapes(model)).sort()
      )
      const loaded = yield* loadCheckpoint(straight)
      expect(loaded.report.classifier).toBe("none")
      const forTraining = yield* loadCheckpoint(straight, { labels: ["O", "B-PER", "I-PER"] })
      expect(forTraining.report.classifier).toBe("absent") // `train` initialises the classifier
      expect([...loaded.report.unused].sort()).toStrictEqual(Object.keys(mlmHeadShapes(model)).sort())
      const card = yield* fs.readFileString(path.join(straight, MODEL_CARD_FILE))
      expect(card).toContain("| de | 10 |")
      expect(card).toContain(`steps: ${steps}`)
    })
  )

  it.scoped("an inverse-sqrt run extended with a larger --steps equals one run straight to it", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const extending = PretrainSettings.make({
        ...settings,
        schedule: "inverse-sqrt",
        warmupSteps: 2,
        packing: true
      })
      const common = { settings: extending, model, tokenizer, data, backend: tf.getBackend() }
      const straight = path.join(dir, "straight")
      const extended = path.join(dir, "extended")
      yield* Effect.scoped(runPretraining({ ...common, out: straight, steps: 8, resume: false }))
      yield* Effect.scoped(runPretraining({ ...common, out: extended, steps: 5, resume: false }))
      yield* Effect.scoped(runPretraining({ ...common, out: extended, steps: 8, resume: true }))
      const metrics = (dir: string) => fs.readFileString(path.join(dir, "run/metrics.jsonl"))
      expect(lossesOf(yield* metrics(extended))).toStrictEqual(lossesOf(yield* metrics(straight)))
      const weights = (dir: string) => fs.readFile(path.join(dir, "model.safetensors"))
      expect(yield* weights(extended)).toStrictEqual(yield* weights(straight))
    })
  )

  it.scoped("--resume refuses a state written with other settings", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const out = yield* fs.makeTempDirectoryScoped()
      const common = { settings, model, tokenizer, data, backend: tf.getBackend(), out }
      yield* Effect.scoped(runPretraining({ ...common, steps: 3, resume: false }))
      const exit = yield* Effect.exit(Effect.scoped(runPretraining({ ...common, steps: 4, resume: true })))
      expect(exit._tag === "Failure" && String(exit.cause)).toContain("PretrainResumeError")
    })
  )
})

describe("config", () => {
  layer(NodeContext.layer)("decodePretrainConfig", (it) => {
    it.effect("rejects unknown keys and a vocab_size that disagrees with the vocabulary", () =>
      Effect.sync(() => {
        const bad = decodePretrainConfig({ model: { model_type: "bert" }, stpes: 3 }, "p.json", 100)
        expect(Either.isLeft(bad) && bad.left.message).toContain("p.json")
        const size = decodePretrainConfig({ model: { model_type: "bert", vocab_size: 5 } }, "p.json", 100)
        expect(Either.isLeft(size) && size.left.message).toContain("vocabulary has 100 tokens")
      })
    )
  })
})
