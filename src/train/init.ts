/**
 * A model to train, from an encoder directory: the checkpoint's weights and, when it has no
 * token-classification head for these labels, a fresh one initialised as HF's `_init_weights`
 * does (weights N(0, initializer_range), bias 0), seeded. Everything is owned by the Scope.
 */
import { Effect } from "effect"
import type { BertConfig } from "../model/config.js"
import { loadModelFolder } from "../model/modelFolder.js"
import type { BertParams } from "../model/params.js"
import { acquireVariables } from "../runtime/scope.js"
import { tf } from "../runtime/tf.js"

export interface LoadedModel {
  readonly config: BertConfig
  readonly params: BertParams
  /** Whether the classification head was initialised here (the checkpoint had none). */
  readonly freshHead: boolean
}

export const loadForTraining = Effect.fn("Train.loadModel")(function* (
  dir: string,
  labels: ReadonlyArray<string>,
  seed: number
) {
  const loaded = yield* loadModelFolder(dir, { labels })
  if (loaded.report.classifier !== "absent")
    return { config: loaded.config, params: loaded.params, freshHead: false } satisfies LoadedModel
  const { hiddenSize, initializerRange } = loaded.config
  const head = yield* acquireVariables(() => ({
    "classifier.weight": tf.randomNormal([labels.length, hiddenSize], 0, initializerRange, "float32", seed),
    "classifier.bias": tf.zeros([labels.length])
  }))
  return {
    config: loaded.config,
    params: { ...loaded.params, ...head },
    freshHead: true
  } satisfies LoadedModel
})
