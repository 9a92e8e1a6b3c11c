/**
 * The quickstart: En, MulDA and ConCNER for one target language on the shared data, side by side,
 * in minutes on 2 CPU cores, on the shipped pretrained encoder (`models/concner-small`) or the
 * encoder folder given.
 */
import * as path from "node:path"
import { Effect, Schema } from "effect"
import { shippedEncoder } from "../model/shipped.js"
import { specModelPath } from "../records/modelPath.js"
import type { ProgressService } from "../runtime/Progress.js"
import { plannedStages, progressHooks } from "./progress.js"
import { resumeExperiment, runExperiment } from "./run.js"
import { runInFolder } from "./runFolder.js"
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

/**
 * Runs the three methods into `OUT/<method>` and returns their results in order; progress names
 * each stage by its method (`mulda teacher`) and counts the ETA over all of them. Run again with
 * the same settings, it takes the runs that finished and resumes the one it was stopped in.
 */
export const runQuickstart = Effect.fn("Quickstart.run")(function* (
  options: QuickstartOptions,
  progress: ProgressService
) {
  const model = yield* specModelPath(options.model ?? (yield* shippedEncoder()))
  const specs = yield* Effect.forEach(quickstartMethods, (method) =>
    Schema.decodeUnknown(ExperimentSpec)({
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
  )
  const label = (spec: ExperimentSpec) => `${spec.method.name} `
  yield* progress.plan(specs.flatMap((spec) => plannedStages(spec, label(spec))))
  return yield* Effect.forEach(specs, (spec) => {
    const runDir = path.join(options.out, spec.method.name)
    const hooks = progressHooks(runDir, progress, label(spec))
    // a run finished by an earlier quickstart is taken, one it left unfinished resumed; a folder
    // holding anything else is run into afresh
    return runInFolder(spec, runDir, hooks).pipe(
      Effect.map(({ result }) => result),
      Effect.catchTag("RunFolderTaken", (taken) =>
        taken.unfinished === true
          ? resumeExperiment(runDir, hooks)
          : Effect.scoped(Effect.flatMap(hooks, (made) => runExperiment(spec, runDir, made)))
      )
    )
  })
})
