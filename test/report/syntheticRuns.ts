/**
 * Run folders for the report tests, written with the writers a real run uses: the spec decoded and
 * encoded by `ExperimentSpec`, `spec.json`/`run.json` by `makeRunRecord` + `writeRunRecord`,
 * `metrics.jsonl` by `openMetricsLog` + `metricsEntry`, result.json as `RunResult` JSON — only the
 * training is skipped, so the numbers are chosen rather than learned.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Effect, Schema } from "effect"
import { metricsEntry } from "../../src/experiment/progress.js"
import { RunResult } from "../../src/experiment/result.js"
import { ExperimentSpec, cpuProtocol, paperProtocol } from "../../src/experiment/spec.js"
import type { TranslationSource } from "../../src/experiment/translations.js"
import { Objective } from "../../src/losses/objective.js"
import { openMetricsLog } from "../../src/records/metricsLog.js"
import { METRICS_FILE } from "../../src/records/metricsLog.js"
import { Numerics, RunRecord, makeRunRecord, writeRunRecord } from "../../src/records/runRecord.js"
import { tokenScatterSpec } from "../../src/report/charts.js"
import { renderSvg } from "../../src/report/svg.js"
import type { TrainEvent } from "../../src/train/loop.js"

export const MBERT = "/models/bert-base-multilingual-cased"

export interface SyntheticRun {
  readonly method: string | Objective
  readonly lang: string
  readonly corpus: "conll" | "wikiann"
  readonly sourceSize: number
  readonly seed: number
  readonly protocol: "paper" | "cpu"
  readonly model: string
  readonly translations: TranslationSource
  /** Test F1 of the teacher, and of the student when given. */
  readonly f1: number
  readonly student?: number
  /** Dev F1 of the teacher at steps 10, 20, …; no metrics.jsonl when absent. */
  readonly devCurve?: ReadonlyArray<number>
  /** Protocol settings changed from the protocol's (`{ maxSteps: 8 }`): a hyper-parameter variant. */
  readonly overrides?: Readonly<Record<string, unknown>>
  /** `--name` and `--tag` of the run. */
  readonly labels?: { readonly name?: string; readonly tags?: ReadonlyArray<string> }
}

const stage = (f1: number, devF1: number) => ({
  dev: { f1: devF1, step: 10 },
  test: { f1, precision: f1, recall: f1, byType: { PER: f1 } },
  steps: 40,
  unpredictedTestWords: 0
})

/** Writes one run into `root/<index>` and returns its folder; `dataFile` stands in for the corpus files. */
export const writeSyntheticRun = (root: string, index: number, run: SyntheticRun, dataFile: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = path.join(root, `run-${index}`)
    yield* fs.makeDirectory(dir, { recursive: true })
    const spec = yield* Schema.decodeUnknown(ExperimentSpec)({
      method:
        typeof run.method === "string"
          ? run.method
          : Schema.encodeSync(ExperimentSpec.fields.method)(run.method),
      lang: run.lang,
      corpus: run.corpus,
      sourceSize: run.sourceSize,
      seed: run.seed,
      model: run.model,
      translations: run.translations,
      mismatches: "keep",
      protocol: {
        ...Schema.encodeSync(ExperimentSpec.fields.protocol)(
          run.protocol === "cpu" ? cpuProtocol : paperProtocol
        ),
        ...run.overrides
      }
    })
    const encoded = Schema.encodeSync(ExperimentSpec)(spec)
    const record = yield* makeRunRecord({
      spec: encoded,
      dataFiles: [{ file: dataFile, as: path.basename(dataFile) }],
      backend: "cpu",
      numerics: Numerics.make({ simd: null, threads: 1, native: false, blasThreads: null })
    })
    yield* writeRunRecord(dir, encoded, RunRecord.make({ ...record, ...run.labels }))
    if (run.devCurve !== undefined) {
      const log = yield* openMetricsLog(path.join(dir, METRICS_FILE))
      let best = { step: 0, f1: Number.NEGATIVE_INFINITY, weights: {} }
      for (const [i, f1] of run.devCurve.entries()) {
        const step = (i + 1) * 10
        const stepEvent: TrainEvent = {
          _tag: "Step",
          result: {
            step,
            epoch: 0,
            batch: i,
            loss: 1,
            terms: { ceSource: 1 },
            gradNorm: 1,
            lr: 1e-3,
            tokens: 100
          }
        }
        yield* log.append(metricsEntry("teacher", stepEvent))
        const improved = f1 > best.f1
        if (improved) best = { step, f1, weights: {} }
        const evalEvent: TrainEvent = {
          _tag: "Eval",
          step,
          f1,
          improved,
          best,
          next: { step: step + 1, epoch: 0, batch: i + 1 },
          last: i === run.devCurve.length - 1
        }
        yield* log.append(metricsEntry("teacher", evalEvent))
      }
    }
    const result = RunResult.make({
      method: spec.method.name,
      lang: spec.lang,
      corpus: spec.corpus,
      sourceSize: spec.sourceSize,
      seed: spec.seed,
      protocol: spec.protocol.name,
      model: spec.model,
      ...stage(run.f1, 50),
      ...(run.student !== undefined ? { student: stage(run.student, 50) } : {}),
      // as run.ts records it: the source, for a method that trains on translations
      ...(spec.method.needs.translations ? { translations: spec.translations } : {}),
      testSentences: 100,
      missingTranslations: 0,
      unpredictedTestWords: 0,
      seconds: 12.5
    })
    yield* fs.writeFileString(path.join(dir, "result.json"), `${JSON.stringify(result, null, 2)}\n`)
    return dir
  }).pipe(Effect.scoped)

export const HOSTILE_LANG = "<script>alert(1)</script>"
export const HOSTILE_METHOD = '<img src=x onerror="alert(2)">'

const base = {
  corpus: "conll",
  lang: "de",
  sourceSize: 500,
  protocol: "paper",
  model: MBERT,
  translations: "mulda"
} as const

export const sampleRuns: ReadonlyArray<SyntheticRun> = [
  // the paper's setting: Table 3/5 `en`, de, 500 — no deviation
  { ...base, method: "en", seed: 1, f1: 60, devCurve: [40, 55, 52] },
  { ...base, method: "en", seed: 2, f1: 62, devCurve: [42, 50, 58] },
  // the cpu protocol, a small encoder and DeepL translations: every cell deviates
  {
    ...base,
    protocol: "cpu",
    model: "/models/tiny/",
    translations: "deepl-awesome",
    method: "concner",
    seed: 1,
    f1: 40,
    student: 45,
    devCurve: [30, 35]
  },
  { ...base, protocol: "cpu", model: "/models/tiny/", method: "en", seed: 1, f1: 33 },
  // the dictionary engine's translations: a Table 3 of their own beside the shared `en`
  {
    ...base,
    protocol: "cpu",
    model: "/models/tiny/",
    translations: { engine: "dictionary" },
    method: "concner",
    seed: 1,
    f1: 30,
    student: 31,
    devCurve: [20, 25]
  },
  // a WikiAnn language outside Table 3 under hostile names: the 27-language figure and the other-runs table
  {
    ...base,
    protocol: "cpu",
    model: "/models/tiny/",
    corpus: "wikiann",
    lang: HOSTILE_LANG,
    sourceSize: 1000,
    method: new Objective({
      name: HOSTILE_METHOD,
      weights: { ceSource: 1, ceTranslation: 0, lcl: 0, tcl: 0, kd: 0 }
    }),
    seed: 1,
    f1: 20
  }
]

/** Writes `runs` under a temp folder, with a data file and a representation figure (real SVG). */
export const sampleFolder = (runs: ReadonlyArray<SyntheticRun>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const root = yield* fs.makeTempDirectoryScoped()
    const dir = path.join(root, "runs")
    const dataFile = path.join(root, "train.txt")
    yield* fs.writeFileString(dataFile, "EU B-ORG\nrejects O\n")
    for (const [i, run] of runs.entries()) yield* writeSyntheticRun(dir, i, run, dataFile)
    const svg = yield* Effect.promise(() =>
      renderSvg(
        tokenScatterSpec(
          [
            { lang: "en", word: "Paris", tag: "B-LOC", x: 0, y: 1 },
            { lang: "de", word: "Berlin", tag: "B-LOC", x: 1, y: 0 }
          ],
          "token vectors"
        )
      )
    )
    yield* fs.writeFileString(path.join(dir, "visualize.svg"), svg)
    return { root, dir, dataFile }
  })
