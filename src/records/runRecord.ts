import { createHash } from "node:crypto"
/**
 * What every run directory records so a result can be traced and trusted: the resolved spec with a
 * stable hash (`spec.json`), and in `run.json` the SHA-256 of each data file used, the package version,
 * the git commit (marked by where it came from), the tensor backend with what changes its arithmetic
 * (kernels, threads), Node and the time — and, for a run continued from a saved state, each later
 * sitting's commit, backend and starting point; for a run that took its teacher from another cell of
 * its grid, which one; when it started and finished, and the CPU time and peak memory of each stage;
 * the name and tags a person gave it. No path in it is the machine's: data files are named relative
 * to the data root, the encoder's as the spec names it (relative to the package), another run
 * relative to this one.
 */
import { dirname, isAbsolute, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { Command, FileSystem } from "@effect/platform"
import { Config, DateTime, Effect, Option, Schema, Stream } from "effect"
import type { RuntimeInfo } from "../runtime/info.js"
import { blasCore } from "../runtime/native.js"
import { writeFileStringAtomic } from "./atomic.js"
import { canonicalHash, canonicalJson } from "./canonicalJson.js"

export class DataFileHash extends Schema.Class<DataFileHash>("DataFileHash")({
  /** Relative to the data root (or, for encoder files, as the spec names the encoder). */
  path: Schema.String,
  sha256: Schema.String,
  bytes: Schema.Int
}) {}

/** The commit the code ran at. `source` says how it was found: `unknown` means it could not be. */
export class CommitInfo extends Schema.Class<CommitInfo>("CommitInfo")({
  sha: Schema.String,
  source: Schema.Literal("git", "env", "unknown"),
  /** From git only: whether tracked files differed from the commit. */
  dirty: Schema.optional(Schema.Boolean),
  /**
   * From git only, when dirty: the tracked files that differed (`git status` paths), so a reader
   * can tell a run made beside an edited README from one made with edited code.
   */
  changed: Schema.optional(Schema.Array(Schema.String))
}) {}

/**
 * What decides the bits a backend computes besides inputs and code: the same numbers repeat exactly
 * only where these match too (BLAS thread counts change summation order; native kernels replace
 * stock ones; OpenBLAS picks its kernels by CPU generation).
 */
export class Numerics extends Schema.Class<Numerics>("Numerics")({
  /** wasm SIMD; null where the backend has no such switch */
  simd: Schema.NullOr(Schema.Boolean),
  /** the backend's compute threads; null where it manages its own */
  threads: Schema.NullOr(Schema.Number),
  /** concner's native kernels in use */
  native: Schema.Boolean,
  /**
   * The native kernels' threads (their GEMM's included); null when they are not in use. With the
   * built-in GEMM the count does not change a bit (nativeSettings.ts).
   */
  blasThreads: Schema.NullOr(Schema.Number),
  /**
   * The native kernels' GEMM; null when they are not in use, absent in records made before concner
   * had a built-in GEMM (OpenBLAS was then the only one).
   */
  gemm: Schema.optional(Schema.NullOr(Schema.Literal("builtin", "openblas"))),
  /**
   * OpenBLAS's version and kernel set (`NativeInfo.blas`; see `blasCore`); null when the native
   * kernels are not in use, absent in records made before concner recorded it.
   */
  blas: Schema.optional(Schema.NullOr(Schema.String))
}) {}

export const numericsOf = (info: RuntimeInfo): Numerics =>
  Numerics.make({
    simd: info.simd,
    threads: info.threads,
    native: info.native.active,
    blasThreads: info.native.blasThreads,
    gemm: info.native.gemm,
    blas: info.native.blas
  })

/** The GEMM a record's native kernels used (OpenBLAS in records made before the built-in one). */
export const recordedGemm = (n: Numerics) => (n.native ? (n.gemm ?? "openblas") : null)

/**
 * The runtime option that repeats the GEMM and threads `numerics` records (`RuntimeOptions.recordedNative`),
 * as an object to spread; empty when the record has no native kernels.
 */
export const recordedNativeOf = (numerics: Numerics | undefined) => {
  const gemm = numerics === undefined ? null : recordedGemm(numerics)
  return gemm === null ? {} : { recordedNative: { gemm, threads: numerics?.blasThreads ?? null } }
}

/**
 * How `now` differs from `recorded`, in words (empty when they match; `blas` only where recorded;
 * the thread count not where both used the built-in GEMM, whose bits do not depend on it).
 */
export const numericsDiffer = (recorded: Numerics, now: Numerics): Array<string> => {
  const text = (v: boolean | number | string | null | undefined) =>
    v === null || v === undefined ? "n/a" : typeof v === "string" ? JSON.stringify(v) : String(v)
  const gemms = { recorded: recordedGemm(recorded), now: recordedGemm(now) }
  const bothBuiltin = gemms.recorded === "builtin" && gemms.now === "builtin"
  return [
    ...(["simd", "threads", "native", "blasThreads", "blas"] as const)
      .filter(
        (k) =>
          recorded[k] !== now[k] &&
          !(k === "blas" && recorded.blas === undefined) &&
          !(k === "blasThreads" && bothBuiltin)
      )
      .map((k) => `${k} ${text(recorded[k])} → ${text(now[k])}`),
    ...(gemms.recorded !== gemms.now && recorded.native && now.native
      ? [`gemm ${text(gemms.recorded)} → ${text(gemms.now)}`]
      : [])
  ]
}

/**
 * The OpenBLAS kernel set (`OPENBLAS_CORETYPE`) that would give `now` the one `recorded` ran with,
 * where both used OpenBLAS and chose different sets; undefined otherwise.
 */
export const blasCoreToPin = (recorded: Numerics, now: Numerics): string | undefined => {
  const was = recorded.blas ? blasCore(recorded.blas) : undefined
  const is = now.blas ? blasCore(now.blas) : undefined
  return was !== undefined && is !== undefined && was !== is ? was : undefined
}

/** A sitting that continued a run from its saved state: what ran it, and from where. */
export class Resumption extends Schema.Class<Resumption>("Resumption")({
  at: Schema.String,
  stage: Schema.Literal("teacher", "student"),
  /** The step the sitting started from. */
  step: Schema.Int,
  commit: CommitInfo,
  backend: Schema.String,
  /** Absent in records made before concner recorded it. */
  numerics: Schema.optional(Numerics),
  node: Schema.String
}) {}

/** Where a run's teacher came from when it took one a grid's other cell trained (see teacherCache.ts). */
export class TeacherSource extends Schema.Class<TeacherSource>("TeacherSource")({
  /** The run directory that trained it. */
  runDir: Schema.String,
  commit: CommitInfo,
  /** Its key in the grid's `teachers/` folder. */
  key: Schema.String
}) {}

/**
 * What a stage cost (the way W&B's system metrics summarise a run): CPU seconds (user + system) of
 * the process, and its peak resident memory so far. A stage resumed in a later sitting adds that
 * sitting's CPU time, and its peak is the larger of the sittings'.
 */
export class StageUsage extends Schema.Class<StageUsage>("StageUsage")({
  /** Wall seconds of the stage (its sittings added). */
  seconds: Schema.Number,
  cpuSeconds: Schema.Number,
  peakRssBytes: Schema.Int
}) {}

/** A person's labels of a run: not part of its spec (they change no number), so not of its hash. */
export interface RunLabels {
  readonly name?: string | undefined
  readonly tags?: ReadonlyArray<string> | undefined
}

export class RunRecord extends Schema.Class<RunRecord>("RunRecord")({
  specSha256: Schema.String,
  dataFiles: Schema.Array(DataFileHash),
  package: Schema.Struct({ name: Schema.String, version: Schema.String }),
  commit: CommitInfo,
  backend: Schema.String,
  /** Absent in records made before concner recorded it. */
  numerics: Schema.optional(Numerics),
  node: Schema.String,
  platform: Schema.String,
  /** When this record was made: when the run (or a sitting that restarted it from scratch) began. */
  createdAt: Schema.String,
  /** When the run began (= `createdAt`); absent in records made before concner recorded it. */
  startedAt: Schema.optional(Schema.String),
  /** When `result.json` was written; absent while the run is unfinished and in older records. */
  finishedAt: Schema.optional(Schema.String),
  /** What each stage cost, by stage name (`teacher`, `student`); absent in older records. */
  usage: Schema.optional(Schema.Record({ key: Schema.String, value: StageUsage })),
  /** `--name` (a grid's cells: the grid's name). */
  name: Schema.optional(Schema.String),
  /** `--tag`, repeated (a grid's cells: its `tags`). */
  tags: Schema.optional(Schema.Array(Schema.String)),
  /** Later sittings, oldest first (absent until the run is first resumed from a saved state). */
  resumes: Schema.optional(Schema.Array(Resumption)),
  /** Present when the teacher was taken from another cell rather than trained by this run. */
  teacherFrom: Schema.optional(TeacherSource)
}) {}

/**
 * SHA-256 and size of a file, streamed (data files can be large); recorded under `recordAs` (a
 * relative name: records hold no path of the machine), `path` itself when not given.
 */
export const hashFile = Effect.fn("RunRecord.hashFile")(function* (path: string, recordAs = path) {
  const fs = yield* FileSystem.FileSystem
  const hash = createHash("sha256")
  let bytes = 0
  yield* Stream.runForEach(fs.stream(path), (chunk) =>
    Effect.sync(() => {
      hash.update(chunk)
      bytes += chunk.length
    })
  )
  return DataFileHash.make({ path: recordAs, sha256: hash.digest("hex"), bytes })
})

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/

/**
 * `dirty` and `changed` from `git status --porcelain -z`: `XY path` entries, NUL-ended, paths
 * unquoted; a rename or copy (`R`/`C`) is followed by its origin, skipped here.
 */
const dirtyOf = (porcelain: string) => {
  const entries = porcelain.split("\0")
  const changed: Array<string> = []
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!
    if (entry.length < 4) continue
    changed.push(entry.slice(3))
    if (/[RC]/.test(entry.slice(0, 2))) i++
  }
  return changed.length === 0 ? { dirty: false } : { dirty: true, changed }
}

/**
 * The commit of the git checkout at `dir` (`git rev-parse HEAD`), else the `CONCNER_COMMIT`
 * environment variable (set by packaging, where no .git exists), else `unknown`.
 */
export const commitOf = Effect.fn("RunRecord.commitOf")(function* (dir: string) {
  const git = (...args: Array<string>) =>
    Command.make("git", ...args).pipe(Command.workingDirectory(dir), Command.string, Effect.option)
  const head = Option.map(yield* git("rev-parse", "HEAD"), (s) => s.trim())
  if (Option.isSome(head) && SHA.test(head.value)) {
    const status = yield* git("status", "--porcelain", "-z", "--untracked-files=no")
    return CommitInfo.make({
      sha: head.value,
      source: "git",
      ...Option.match(status, { onNone: () => ({}), onSome: dirtyOf })
    })
  }
  const env = yield* Config.option(Config.nonEmptyString("CONCNER_COMMIT")).pipe(Effect.orDie)
  return Option.match(env, {
    onNone: () => CommitInfo.make({ sha: "unknown", source: "unknown" }),
    onSome: (sha) => CommitInfo.make({ sha, source: "env" })
  })
})

const PackageJson = Schema.parseJson(Schema.Struct({ name: Schema.String, version: Schema.String }))

/** The folder holding concner's package.json: found upward from this module (src/ or a build). */
export const packageRoot = Effect.fn("RunRecord.packageRoot")(function* () {
  const fs = yield* FileSystem.FileSystem
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const file = join(dir, "package.json")
    if (yield* fs.exists(file)) {
      const pkg = Schema.decodeOption(PackageJson)(yield* fs.readFileString(file))
      if (Option.isSome(pkg) && pkg.value.name === "concner") return { dir, package: pkg.value }
    }
    const up = dirname(dir)
    if (up === dir) return yield* Effect.dieMessage("concner's package.json not found above its sources")
    dir = up
  }
})

/**
 * Everything a run records besides its results. `spec` is the resolved spec, already encoded to JSON
 * values; each data file is read at `file` and recorded as `as`.
 */
export const makeRunRecord = Effect.fn("RunRecord.make")(function* (options: {
  readonly spec: unknown
  readonly dataFiles: ReadonlyArray<{ readonly file: string; readonly as: string }>
  readonly backend: string
  readonly numerics: Numerics
}) {
  const root = yield* packageRoot()
  const now = DateTime.formatIso(yield* DateTime.now)
  return RunRecord.make({
    specSha256: canonicalHash(options.spec),
    dataFiles: yield* Effect.forEach(options.dataFiles, (f) => hashFile(f.file, f.as)),
    package: root.package,
    commit: yield* commitOf(root.dir),
    backend: options.backend,
    numerics: options.numerics,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    createdAt: now,
    startedAt: now
  })
})

/**
 * Writes `spec.json` (`{"sha256": …, "spec": …}`, canonical, so the hash can be recomputed from the
 * file) and `run.json` into `dir`, each atomically.
 */
export const writeRunRecord = Effect.fn("RunRecord.write")(function* (
  dir: string,
  spec: unknown,
  record: RunRecord
) {
  yield* writeFileStringAtomic(
    join(dir, "spec.json"),
    `${canonicalJson({ sha256: record.specSha256, spec })}\n`
  )
  yield* writeRunJson(dir, record)
})

const writeRunJson = (dir: string, record: RunRecord) =>
  writeFileStringAtomic(
    join(dir, "run.json"),
    `${JSON.stringify(Schema.encodeSync(RunRecord)(record), null, 2)}\n`
  )

/** The `run.json` in `dir`; fails with the reason. */
export const readRunJson = (dir: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const file = join(dir, "run.json")
    return yield* fs.readFileString(file).pipe(
      Effect.flatMap(Schema.decodeUnknown(Schema.parseJson(RunRecord))),
      Effect.mapError((e) => `${file}: ${e.message}`)
    )
  })

/**
 * The check and record of a sitting that continues the run in `dir` from a saved state: the inputs
 * are hashed again and must match `run.json` (a run whose data or encoder changed under it would
 * mix two experiments), then the sitting is appended to `run.json`'s `resumes`. Fails with the
 * reason: the caller maps it to its own error.
 */
export const recordResumption = Effect.fn("RunRecord.recordResumption")(function* (
  dir: string,
  now: RunRecord,
  from: { readonly stage: "teacher" | "student"; readonly step: number }
) {
  const file = join(dir, "run.json")
  const recorded = yield* readRunJson(dir)
  // the same spec lists the same inputs in the same order, so pair them by position: a data root
  // moved between sittings is checked too
  const paired = recorded.dataFiles.length === now.dataFiles.length
  const changed = now.dataFiles.filter((f, i) => {
    const was = paired ? recorded.dataFiles[i] : recorded.dataFiles.find((r) => r.path === f.path)
    return was !== undefined && was.sha256 !== f.sha256
  })
  if (changed.length > 0)
    return yield* Effect.fail(
      `${changed.map((f) => f.path).join(", ")} changed since the run started (SHA-256 differs from ${file})`
    )
  const sitting = Resumption.make({
    at: now.createdAt,
    ...from,
    commit: now.commit,
    backend: now.backend,
    numerics: now.numerics,
    node: now.node
  })
  yield* writeRunJson(
    dir,
    RunRecord.make({ ...recorded, resumes: [...(recorded.resumes ?? []), sitting] })
  ).pipe(Effect.mapError((e) => `cannot write ${file}: ${e.message}`))
})

/** Rewrites `dir`'s `run.json` with `change` applied (a run.json concner cannot read is a defect here). */
const updateRunJson = (dir: string, change: (recorded: RunRecord) => Partial<RunRecord>) =>
  Effect.gen(function* () {
    const recorded = yield* readRunJson(dir).pipe(Effect.orDieWith((reason) => new Error(reason)))
    yield* writeRunJson(dir, RunRecord.make({ ...recorded, ...change(recorded) }))
  })

/**
 * Records in `dir`'s `run.json` that its teacher was taken from `source` rather than trained (the
 * run that trained it named relative to `dir`).
 */
export const recordTeacherSource = Effect.fn("RunRecord.recordTeacherSource")(function* (
  dir: string,
  source: TeacherSource
) {
  yield* updateRunJson(dir, () => ({
    teacherFrom: TeacherSource.make({
      runDir: relativeRunDir(dir, source.runDir),
      commit: source.commit,
      key: source.key
    })
  }))
})

/** `other` relative to the run folder `dir` (recorded runs name each other so, never absolutely). */
export const relativeRunDir = (dir: string, other: string): string =>
  isAbsolute(other) ? relative(resolve(dir), other) || "." : other

/**
 * A stage's cost from `since` (the process's `cpuUsage()` when the stage began; `seconds` its wall
 * time) added to what `dir`'s `run.json` already holds for it.
 */
export const recordStageUsage = Effect.fn("RunRecord.recordStageUsage")(function* (
  dir: string,
  stage: string,
  since: NodeJS.CpuUsage,
  seconds: number
) {
  const cpu = process.cpuUsage(since)
  const now = {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    // maxRSS is in kibibytes, the process's peak so far
    peakRssBytes: process.resourceUsage().maxRSS * 1024
  }
  yield* updateRunJson(dir, (recorded) => {
    const was = recorded.usage?.[stage]
    const usage = StageUsage.make(
      was === undefined
        ? now
        : {
            seconds: was.seconds + now.seconds,
            cpuSeconds: was.cpuSeconds + now.cpuSeconds,
            peakRssBytes: Math.max(was.peakRssBytes, now.peakRssBytes)
          }
    )
    return { usage: { ...recorded.usage, [stage]: usage } }
  })
})

/** Records in `dir`'s `run.json` that the run finished now. */
export const recordFinish = Effect.fn("RunRecord.recordFinish")(function* (dir: string) {
  const finishedAt = DateTime.formatIso(yield* DateTime.now)
  yield* updateRunJson(dir, () => ({ finishedAt }))
})
