/**
 * `concner train --out DIR`: a run folder holds one run. Before anything is written the spec's inputs
 * are checked (data files, sample size, translations, encoder folder); then the folder is locked
 * (`run.lock`) and read: empty → the run starts; the same spec finished → its result, no retraining;
 * the same spec unfinished → `concner resume DIR`; another spec → refused, naming the fields that
 * differ. Two processes on one folder: one runs, the other fails naming the lock's holder.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Data, Effect, Option, Schema, type Scope } from "effect"
import { Corpora } from "../data/Corpora.js"
import { checkModelFolder } from "../model/modelFolder.js"
import { canonicalHash } from "../records/canonicalJson.js"
import { modelDir } from "../records/modelPath.js"
import type { RunLabels } from "../records/runRecord.js"
import { LOCK_FILE, lockRunFolder } from "../train/runLock.js"
import { checkTranslationsAvailable } from "./data.js"
import type { RunHooks } from "./progress.js"
import { RunResult } from "./result.js"
import { type RunOptions, currentRecord, runExperiment } from "./run.js"
import { ExperimentSpec } from "./spec.js"

/** `--out` holds something other than this run, or this run unfinished. */
export class RunFolderTaken extends Data.TaggedError("RunFolderTaken")<{
  readonly dir: string
  readonly reason: string
  /** The folder holds this very run, unfinished (`concner resume` continues it). */
  readonly unfinished?: true
}> {
  override get message() {
    return `${this.dir}: ${this.reason}`
  }
}

/** Paths (`protocol.maxSteps`) where two JSON values differ, with both values. */
export const differingFields = (was: unknown, now: unknown, at = ""): Array<string> => {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v)
  if (isObject(was) && isObject(now))
    return [...new Set([...Object.keys(was), ...Object.keys(now)])]
      .sort()
      .flatMap((key) => differingFields(was[key], now[key], at === "" ? key : `${at}.${key}`))
  if (JSON.stringify(was) === JSON.stringify(now)) return []
  const show = (v: unknown) => (v === undefined ? "absent" : JSON.stringify(v).slice(0, 80))
  return [`${at} (${show(was)} there, ${show(now)} here)`]
}

const RecordedSpec = Schema.parseJson(Schema.Struct({ sha256: Schema.String, spec: Schema.Unknown }))

/**
 * Checks what a run of `spec` reads, writing nothing: every data and encoder file is there and
 * readable (their hashes are `run.json`'s), the sample fits the English train set, the method's
 * translations exist, and the encoder folder's config and vocabulary agree.
 */
export const checkRunInputs = Effect.fn("Experiment.checkInputs")(function* (spec: ExperimentSpec) {
  const corpora = yield* Corpora
  yield* corpora.load({ corpus: spec.corpus, lang: spec.lang, split: "test" })
  yield* corpora.sample({ corpus: spec.corpus, lang: "en", split: "train" }, spec.sourceSize, spec.seed)
  yield* checkModelFolder(yield* modelDir(spec.model))
  yield* checkTranslationsAvailable(spec)
  yield* currentRecord(spec)
})

/**
 * Locks `dir` for the current scope and says whether `spec` may start there (`none`) or has finished
 * there (its result); anything else fails with `RunFolderTaken`.
 */
export const claimRunFolder = Effect.fn("Experiment.claimFolder")(function* (
  spec: ExperimentSpec,
  dir: string
) {
  const fs = yield* FileSystem.FileSystem
  yield* lockRunFolder(dir)
  const entries = (yield* fs.readDirectory(dir)).filter((name) => name !== LOCK_FILE).sort()
  if (entries.length === 0) return Option.none<RunResult>()
  const taken = (reason: string) => new RunFolderTaken({ dir, reason })
  if (!entries.includes("spec.json"))
    return yield* taken(
      `holds ${entries.length} files that are not a concner run (${entries.slice(0, 5).join(", ")}${entries.length > 5 ? ", …" : ""}); choose a new or empty folder`
    )
  const specFile = path.join(dir, "spec.json")
  const recorded = yield* fs.readFileString(specFile).pipe(
    Effect.flatMap(Schema.decodeUnknown(RecordedSpec)),
    Effect.mapError(() => taken(`${specFile} is not a concner spec.json; choose a new or empty folder`))
  )
  const ours = Schema.encodeSync(ExperimentSpec)(spec)
  if (recorded.sha256 !== canonicalHash(ours)) {
    const fields = differingFields(recorded.spec, ours)
    return yield* taken(
      `holds another run, whose ${fields.length === 0 ? "spec hash" : fields.join(", ")} differ${fields.length === 1 ? "s" : ""}; a folder holds one run: choose another --out`
    )
  }
  const resultFile = path.join(dir, "result.json")
  if (!(yield* fs.exists(resultFile)))
    return yield* new RunFolderTaken({
      dir,
      reason: `holds this run, unfinished: continue it with \`concner resume ${dir}\``,
      unfinished: true
    })
  return Option.some(
    yield* fs.readFileString(resultFile).pipe(
      Effect.flatMap(Schema.decodeUnknown(Schema.parseJson(RunResult))),
      Effect.mapError((e) => taken(`${resultFile}: ${e.message}`))
    )
  )
})

/**
 * Runs `spec` in `dir` unless it has finished there (`finished: true`, its recorded result). Hooks
 * (which open `metrics.jsonl`) are made only once the folder is this run's.
 */
export const runInFolder = <E, R>(
  spec: ExperimentSpec,
  dir: string,
  makeHooks: Effect.Effect<RunHooks, E, R | Scope.Scope>,
  options: RunOptions & { readonly labels?: RunLabels } = {}
) =>
  Effect.scoped(
    Effect.gen(function* () {
      yield* checkRunInputs(spec)
      const finished = yield* claimRunFolder(spec, dir)
      if (Option.isSome(finished)) return { result: finished.value, finished: true }
      const hooks = yield* makeHooks
      return { result: yield* runExperiment(spec, dir, hooks, options), finished: false }
    })
  )
