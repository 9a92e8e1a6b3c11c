/** What the end-to-end run tests share: a tiny protocol, a tiny model over the text they read, specs. */
import * as path from "node:path"
import { NodeContext } from "@effect/platform-node"
import { Effect, Layer, Schema } from "effect"
import { Corpora } from "../../src/data/Corpora.js"
import { conllTypes, labelSet } from "../../src/data/labels.js"
import { ExperimentSpec, Protocol } from "../../src/experiment/spec.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { trainingDefaults } from "../../src/train/defaults.js"
import { dataRoot } from "./data.js"
import { writeTinyModel } from "./tinyModel.js"

/** Minutes → seconds: 8 sentences a batch, evaluation every 2 steps on 40 dev sentences. */
export const tinyProtocol = (testSentences: number) =>
  Protocol.make({
    name: "test",
    epochs: 1,
    batchSize: 8,
    maxLength: 48,
    evalEvery: 2,
    lr: 1e-3,
    weightDecay: 0.01,
    warmupRatio: 0,
    maxGradNorm: 1,
    kdEpochs: 1,
    kdSentences: 16,
    devSentences: 40,
    testSentences,
    evalBatchSize: 64
  })

/** A tiny model in `dir/model` whose vocabulary covers the English and German text the runs read. */
export const makeTinyRunModel = (dir: string) =>
  Effect.gen(function* () {
    const corpora = yield* Corpora
    const text = [
      ...(yield* corpora.load({ corpus: "conll", lang: "en", split: "train" })).sentences.slice(0, 3000),
      ...(yield* corpora.load({ corpus: "conll", lang: "de", split: "test" })).sentences.slice(0, 1000)
    ].map((s) => s.tokens)
    const model = path.join(dir, "model")
    yield* writeTinyModel(model, text, labelSet(conllTypes).tags)
    return model
  })

/** A German CoNLL spec on `model`: 24 English sentences, seed 3, MulDA translations. */
export const tinySpec = (model: string, method: string, protocol: Protocol) =>
  Schema.decodeUnknown(ExperimentSpec)({
    method,
    lang: "de",
    corpus: "conll",
    sourceSize: 24,
    seed: 3,
    model,
    translations: "mulda",
    mismatches: "keep",
    protocol
  })

export const runLayer = (backend: string) =>
  Layer.mergeAll(Corpora.at(dataRoot), NodeContext.layer, TensorRuntime.layer({ backend }), trainingDefaults)
