/**
 * The quickstart: En, MulDA and ConCNER for one target language on the shared data, side by side,
 * in minutes on 2 CPU cores. It uses the encoder folder given, or builds (once, cached in
 * `OUT/encoder`) a small random-initialised multilingual BERT whose WordPiece vocabulary is
 * trained on the English and target training text (`trainWordPiece`). A random encoder gives low absolute F1: the
 * quickstart shows the pipeline and the relative order of methods, not the paper's numbers.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Effect, Schema, type Scope } from "effect"
import { Corpora } from "../data/Corpora.js"
import { saveCheckpoint } from "../model/checkpoint.js"
import { decodeBertConfig } from "../model/config.js"
import { initParams, scopedParams } from "../model/params.js"
import { trainVocabularyOnTokens } from "../text/vocabTrain.js"
import { conllTypes, labelSet } from "../train/labels.js"
import type { RunResult } from "./result.js"
import { type RunHooks, runExperiment } from "./run.js"
import { ExperimentSpec, Protocol, cpuProtocol } from "./spec.js"

/** The `tiny` encoder shape of the performance issue: 2 layers, hidden 128, 2 heads, FFN 512. */
export const tinyEncoderConfig = (vocabSize: number) => ({
  model_type: "bert",
  vocab_size: vocabSize,
  hidden_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 512,
  hidden_act: "gelu",
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 512,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: 0
})

export const quickstartMethods = ["en", "mulda", "concner"] as const

/**
 * The cpu protocol cut to minutes: 6 epochs, selection every 32 steps on 500 dev sentences, KD for 4
 * passes over 1,000 target sentences. A random encoder needs a higher learning rate than the cpu
 * protocol's (measured with `concner train --method en --lang de --source-size 500 --model <random
 * tiny encoder>`: dev F1 0.00 after 64 steps at 2e-4; 31.9 after 160 steps at 1e-3), and a student
 * needs more than one pass (after 32 KD steps it still predicted only O).
 */
export const quickstartProtocol = Protocol.make({
  ...cpuProtocol,
  name: "quickstart",
  epochs: 6,
  lr: 1e-3,
  evalEvery: 32,
  devSentences: 500,
  kdEpochs: 4,
  kdSentences: 1000
})

/** Builds the random-initialised encoder into `dir` unless it is already there. */
export const ensureRandomEncoder = Effect.fn("Quickstart.encoder")(function* (
  dir: string,
  lang: string,
  seed: number
) {
  const fs = yield* FileSystem.FileSystem
  if (yield* fs.exists(path.join(dir, "config.json"))) return dir
  const corpora = yield* Corpora
  const text = [
    ...(yield* corpora.load({ corpus: "conll", lang: "en", split: "train" })).sentences,
    ...(yield* corpora.load({ corpus: "conll", lang, split: "train" })).sentences
  ].map((s) => s.tokens)
  const vocab = yield* trainVocabularyOnTokens(text, { size: 20_000 })
  const config = yield* decodeBertConfig(tinyEncoderConfig(vocab.length), path.join(dir, "config.json"))
  yield* Effect.scoped(
    Effect.gen(function* () {
      const labels = labelSet(conllTypes).tags
      const params = yield* scopedParams(() => initParams(config, labels.length, seed))
      yield* saveCheckpoint(dir, { config, labels, params, vocab })
    })
  )
  return dir
})

export interface QuickstartOptions {
  readonly out: string
  readonly lang: string
  readonly sourceSize: number
  readonly seed: number
  /** An encoder folder; absent: the cached random-initialised one. */
  readonly model?: string
}

/** Runs the three methods into `OUT/<method>` and returns their results in order. */
export const runQuickstart = Effect.fn("Quickstart.run")(function* (
  options: QuickstartOptions,
  hooksFor: (runDir: string) => Effect.Effect<RunHooks, unknown, FileSystem.FileSystem | Scope.Scope>
) {
  const model =
    options.model ??
    (yield* ensureRandomEncoder(path.join(options.out, "encoder"), options.lang, options.seed))
  const results: Array<RunResult> = []
  for (const method of quickstartMethods) {
    const spec = yield* Schema.decodeUnknown(ExperimentSpec)({
      method,
      lang: options.lang,
      corpus: "conll",
      sourceSize: options.sourceSize,
      seed: options.seed,
      model: path.resolve(model),
      translations: "mulda",
      mismatches: "keep",
      protocol: quickstartProtocol
    })
    const runDir = path.join(options.out, method)
    results.push(
      yield* Effect.scoped(Effect.flatMap(hooksFor(runDir), (hooks) => runExperiment(spec, runDir, hooks)))
    )
  }
  return results
})

/** The side-by-side table: dev-selected test F1 of each teacher and, for KD methods, of its student. */
export const formatQuickstart = (results: ReadonlyArray<RunResult>): string => {
  const cell = (x: number | undefined, width: number) =>
    (x === undefined ? "-" : x.toFixed(2)).padStart(width)
  const rows = results.map(
    (r) =>
      `| ${r.method.padEnd(8)} | ${cell(r.test.f1, 15)} | ${cell(r.student?.test.f1, 15)} | ${cell(r.test.precision, 9)} | ${cell(r.test.recall, 6)} | ${cell(r.dev.f1, 14)} |`
  )
  const first = results[0]
  return [
    `Test F1 on CoNLL ${first?.lang} (${first?.sourceSize} English sentences, seed ${first?.seed}, model ${first?.model})`,
    "| method   | teacher test F1 | student test F1 | precision | recall | teacher dev F1 |",
    "|----------|-----------------|-----------------|-----------|--------|----------------|",
    ...rows
  ].join("\n")
}
