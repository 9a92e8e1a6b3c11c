/**
 * Finished teachers shared by the cells of a grid (its `teachers/` folder). Several cells of a
 * grid train the same teacher: En's reads only English, so it is the same for every target
 * language, and ConCNER's is En+Trans+LCL+TCL's (the two differ only in distillation). A cell
 * whose teacher is in the folder takes it — selected weights, dev selection, the teacher's
 * `metrics.jsonl` lines — and only scores it on its own test set. The same inputs and code train
 * the same bits (see `train --spec`), so the cell records exactly what training would have given;
 * `run.json` names where its teacher came from.
 *
 * A teacher is found by its key: the hash of what the teacher stage reads — the spec without its
 * distillation settings, its method's name and its test-set size (and without the target
 * language, translations and mismatch policy when the method reads no translations; an
 * in-language method keeps the language), the SHA-256
 * of the data files and encoder files it reads, and the backend with what changes its arithmetic
 * (native kernels or not, thread counts, OpenBLAS's kernel set), so a runner on other kernels
 * trains its own. Anything not known to be irrelevant stays in the key, so a new spec field
 * separates teachers until it is listed here.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Effect, Option, Schema } from "effect"
import { Corpora } from "../data/Corpora.js"
import { Objective } from "../losses/objective.js"
import { canonicalHash } from "../records/canonicalJson.js"
import { METRICS_FILE } from "../records/metricsLog.js"
import { encoderFiles, modelDir } from "../records/modelPath.js"
import { type Numerics, TeacherSource, hashFile } from "../records/runRecord.js"
import { teacherDataFiles } from "./data.js"
import { StageResult } from "./result.js"
import { ExperimentSpec } from "./spec.js"

/** A published teacher: where and by what it was trained, its selection, its step count. */
export class CachedTeacher extends TeacherSource.extend<CachedTeacher>("CachedTeacher")({
  dev: StageResult.fields.dev,
  steps: StageResult.fields.steps
}) {}

const TEACHER_FILE = "teacher.json"

/** The spec fields the teacher stage reads, as JSON values (see the module note). */
export const teacherSpec = (spec: ExperimentSpec): Record<string, unknown> => {
  const {
    lang,
    translations,
    mismatches,
    method: _m,
    protocol: p,
    ...rest
  } = Schema.encodeSync(ExperimentSpec)(spec)
  const { name: _n, kdLoss: _l, weights, ...method } = Schema.encodeSync(Objective)(spec.method)
  const { kd: _kd, ...teacherWeights } = weights
  const { name: _p, kdEpochs: _e, kdSentences: _s, kdMaxSteps: _x, testSentences: _t, ...protocol } = p
  return {
    ...rest,
    method: { ...method, weights: teacherWeights },
    protocol,
    ...(spec.method.needs.translations ? { lang, translations, mismatches } : {}),
    ...(spec.method.needs.inLanguage ? { lang } : {})
  }
}

/**
 * The key of `spec`'s teacher computed on `backend` with `numerics` (what changes its arithmetic:
 * native kernels, threads); hashes the files the teacher reads.
 */
export const teacherKey = Effect.fn("TeacherCache.key")(function* (
  spec: ExperimentSpec,
  backend: string,
  numerics: Numerics
) {
  const { root } = yield* Corpora
  const encoder = yield* modelDir(spec.model)
  const files = [...teacherDataFiles(spec).map((f) => path.join(root, f)), ...(yield* encoderFiles(encoder))]
  const hashes = yield* Effect.forEach(files, (f) => Effect.map(hashFile(f), (h) => h.sha256))
  return canonicalHash({ spec: teacherSpec(spec), inputs: hashes, numerics: { backend, ...numerics } })
})

/**
 * The files of the model folder `from` into the new folder `to`, except `skip`: hard links where
 * the file system allows (no second copy of the weights; every writer here replaces a file by
 * renaming a new one over it, so a linked file never changes), copies otherwise.
 */
const linkFiles = (from: string, to: string, skip: ReadonlyArray<string> = []) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    yield* fs.makeDirectory(to, { recursive: true })
    for (const name of yield* fs.readDirectory(from)) {
      if (skip.includes(name)) continue
      const [source, target] = [path.join(from, name), path.join(to, name)]
      yield* fs.link(source, target).pipe(Effect.orElse(() => fs.copyFile(source, target)))
    }
  })

const isTeacherLine = (line: string) => {
  try {
    return (JSON.parse(line) as { stage?: unknown }).stage === "teacher"
  } catch {
    return false
  }
}

/**
 * Publishes the teacher `runDir` finished (its `teacher/` folder and the teacher's lines of its
 * `metrics.jsonl`) under `key`, unless one is there already. The entry is assembled in a temp folder
 * and renamed into place, so cells of other processes see a whole teacher or none.
 */
export const publishTeacher = Effect.fn("TeacherCache.publish")(function* (
  cache: string,
  entry: CachedTeacher
) {
  const fs = yield* FileSystem.FileSystem
  const target = path.join(cache, entry.key)
  if (yield* fs.exists(target)) return
  yield* fs.makeDirectory(cache, { recursive: true })
  const temp = path.join(cache, `.${entry.key}.${process.pid}.tmp`)
  yield* fs.remove(temp, { recursive: true }).pipe(Effect.ignore)
  yield* linkFiles(path.join(entry.runDir, "teacher"), temp)
  const lines = (yield* fs.readFileString(path.join(entry.runDir, METRICS_FILE)))
    .split("\n")
    .filter(isTeacherLine)
  yield* fs.writeFileString(path.join(temp, METRICS_FILE), lines.map((l) => `${l}\n`).join(""))
  yield* fs.writeFileString(
    path.join(temp, TEACHER_FILE),
    `${JSON.stringify(Schema.encodeSync(CachedTeacher)(entry), null, 2)}\n`
  )
  // another cell may have published the same teacher meanwhile: theirs stays, ours goes
  yield* fs
    .rename(temp, target)
    .pipe(Effect.catchAll(() => fs.remove(temp, { recursive: true }).pipe(Effect.ignore)))
})

/**
 * Takes the teacher published under `key` into `runDir` (a fresh run): its model into `teacher/`,
 * its lines into `metrics.jsonl`. None when there is no such teacher.
 */
export const takeTeacher = Effect.fn("TeacherCache.take")(function* (
  cache: string,
  key: string,
  runDir: string
) {
  const fs = yield* FileSystem.FileSystem
  const source = path.join(cache, key)
  const record = path.join(source, TEACHER_FILE)
  if (!(yield* fs.exists(record))) return Option.none<CachedTeacher>()
  const entry = yield* fs
    .readFileString(record)
    .pipe(Effect.flatMap(Schema.decodeUnknown(Schema.parseJson(CachedTeacher))), Effect.orDie)
  const teacherDir = path.join(runDir, "teacher")
  yield* fs.remove(teacherDir, { recursive: true }).pipe(Effect.ignore)
  yield* linkFiles(source, teacherDir, [TEACHER_FILE, METRICS_FILE])
  // appended: the run's metrics log may already be open for appending (never renamed over)
  const lines = yield* fs.readFileString(path.join(source, METRICS_FILE))
  yield* fs.writeFileString(path.join(runDir, METRICS_FILE), lines, { flag: "a" })
  return Option.some(entry)
})
