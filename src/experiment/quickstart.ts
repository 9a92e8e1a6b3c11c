/**
 * The quickstart: En, MulDA and ConCNER for one target language on the shared data, side by side,
 * in minutes on 2 CPU cores, on the shipped pretrained encoder (`models/concner-small`) or the
 * encoder folder given.
 */
import * as path from "node:path"
import type { FileSystem } from "@effect/platform"
import { Effect, Schema, type Scope } from "effect"
import { shippedEncoder } from "../model/shipped.js"
import { specModelPath } from "../records/modelPath.js"
import type { RunHooks } from "./progress.js"
import type { RunResult } from "./result.js"
import { runExperiment } from "./run.js"
import { ExperimentSpec, Protocol, cpuProtocol } from "./spec.js"

export const quickstartMethods = ["en", "mulda", "concner"] as const

/** English sentences the quickstart samples (its grid's and `concner quickstart`'s default). */
export const quickstartSourceSize = 500

/**
 * The cpu protocol cut to minutes: 6 epochs, selection every 32 steps on 500 dev sentences, KD for 4
 * passes over 1,000 target sentences (after 32 KD steps a student still predicted only O). The
 * learning rate is the shipped encoder's last pretraining rate (~5e-4): 96 steps at the cpu
 * protocol's 2e-4 leave a run still improving at its last evaluation.
 */
export const quickstartProtocol = Protocol.make({
  ...cpuProtocol,
  name: "quickstart",
  epochs: 6,
  lr: 5e-4,
  evalEvery: 32,
  devSentences: 500,
  kdEpochs: 4,
  kdSentences: 1000
})

export interface QuickstartOptions {
  readonly out: string
  readonly lang: string
  readonly sourceSize: number
  readonly seed: number
  /** An encoder folder; absent: the shipped one (`models/concner-small`). */
  readonly model?: string
}

/** Runs the three methods into `OUT/<method>` and returns their results in order. */
export const runQuickstart = Effect.fn("Quickstart.run")(function* (
  options: QuickstartOptions,
  hooksFor: (runDir: string) => Effect.Effect<RunHooks, unknown, FileSystem.FileSystem | Scope.Scope>
) {
  const model = yield* specModelPath(options.model ?? (yield* shippedEncoder()))
  const results: Array<RunResult> = []
  for (const method of quickstartMethods) {
    const spec = yield* Schema.decodeUnknown(ExperimentSpec)({
      method,
      lang: options.lang,
      corpus: "conll",
      sourceSize: options.sourceSize,
      seed: options.seed,
      model,
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
