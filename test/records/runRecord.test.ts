import { createHash } from "node:crypto"
import * as path from "node:path"
import { Command, FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Option, TestClock } from "effect"
import { canonicalHash } from "../../src/records/canonicalJson.js"
import { openMetricsLog, withoutTimes } from "../../src/records/metricsLog.js"
import {
  Numerics,
  blasCoreToPin,
  commitOf,
  hashFile,
  makeRunRecord,
  numericsDiffer,
  readRunJson,
  recordFinish,
  recordResumption,
  recordStageUsage,
  recordedGemm,
  writeRunRecord
} from "../../src/records/runRecord.js"

const cpuNumerics = Numerics.make({ simd: null, threads: 1, native: false, blasThreads: null })
const wasmNumerics = Numerics.make({ simd: true, threads: 1, native: true, blasThreads: 1 })

const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

layer(NodeContext.layer)("run records", (it) => {
  it.scoped("hashes files by streaming, agreeing with a one-shot SHA-256", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(`${dir}/abc`, "abc")
      expect((yield* hashFile(`${dir}/abc`)).sha256).toBe(
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
      )
      // several stream chunks
      const big = new Uint8Array(3_000_000).map((_, i) => (i * 31) % 251)
      yield* fs.writeFile(`${dir}/big`, big)
      const h = yield* hashFile(`${dir}/big`)
      expect(h.bytes).toBe(big.length)
      expect(h.sha256).toBe(createHash("sha256").update(big).digest("hex"))
    })
  )

  it.scoped("takes the commit from git, else CONCNER_COMMIT, else marks it unknown", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const plain = yield* fs.makeTempDirectoryScoped()
      expect(yield* commitOf(plain).pipe(withEnv({}))).toMatchObject({ sha: "unknown", source: "unknown" })
      expect(yield* commitOf(plain).pipe(withEnv({ CONCNER_COMMIT: "abc123" }))).toMatchObject({
        sha: "abc123",
        source: "env"
      })
      const repo = yield* fs.makeTempDirectoryScoped()
      const git = (...args: Array<string>) =>
        Command.make("git", "-c", "user.name=t", "-c", "user.email=t@t", ...args).pipe(
          Command.workingDirectory(repo),
          Command.string
        )
      const made = yield* Effect.option(
        Effect.all([git("init", "-q"), git("commit", "-q", "--allow-empty", "-m", "x")])
      )
      if (Option.isNone(made))
        return yield* Effect.logWarning("git unavailable: git branch of commitOf not tested")
      const head = (yield* git("rev-parse", "HEAD")).trim()
      const found = yield* commitOf(repo).pipe(withEnv({ CONCNER_COMMIT: "ignored" }))
      expect(found).toMatchObject({ sha: head, source: "git", dirty: false })
      expect(found.changed).toBeUndefined()
      yield* fs.writeFileString(path.join(repo, "a b.md"), "x")
      yield* fs.writeFileString(path.join(repo, "src.ts"), "x")
      yield* git("add", ".")
      yield* git("commit", "-q", "-m", "files")
      yield* fs.writeFileString(path.join(repo, "a b.md"), "edited")
      yield* fs.writeFileString(path.join(repo, "untracked.ts"), "not counted")
      yield* git("mv", "src.ts", "moved.ts")
      const dirty = yield* commitOf(repo)
      expect(dirty).toMatchObject({ dirty: true })
      expect([...dirty.changed!].sort()).toEqual(["a b.md", "moved.ts"])
    })
  )

  it.scoped("writes spec.json (hash recomputable from the file) and run.json", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(`${dir}/train.conll`, "EU B-ORG\n")
      const spec = { method: "concner", lang: "de", seed: 1, protocol: { lr: 5e-5, epochs: 30 } }
      const record = yield* makeRunRecord({
        spec,
        dataFiles: [{ file: `${dir}/train.conll`, as: "train.conll" }],
        backend: "cpu",
        numerics: cpuNumerics
      })
      yield* writeRunRecord(dir, spec, record)
      const written = JSON.parse(yield* fs.readFileString(`${dir}/spec.json`))
      expect(written.spec).toStrictEqual(spec)
      expect(written.sha256).toBe(canonicalHash(written.spec))
      const run = JSON.parse(yield* fs.readFileString(`${dir}/run.json`))
      expect(run).toMatchObject({
        specSha256: canonicalHash(spec),
        package: { name: "concner" },
        backend: "cpu",
        numerics: { simd: null, threads: 1, native: false, blasThreads: null },
        node: process.version,
        dataFiles: [{ path: "train.conll", bytes: 9 }]
      })
      expect(run.dataFiles[0].sha256).toBe(createHash("sha256").update("EU B-ORG\n").digest("hex"))
      expect(["git", "env", "unknown"]).toContain(run.commit.source)
      expect(Number.isNaN(Date.parse(run.createdAt))).toBe(false)
      expect(run.startedAt).toBe(run.createdAt)
      // a finished run's stages and its end, added as the run goes
      const since = process.cpuUsage()
      yield* recordStageUsage(dir, "teacher", since, 2)
      yield* recordStageUsage(dir, "teacher", since, 3) // a second sitting of the stage adds up
      yield* recordFinish(dir)
      const finished = JSON.parse(yield* fs.readFileString(`${dir}/run.json`))
      expect(finished.usage.teacher.seconds).toBe(5)
      expect(finished.usage.teacher.cpuSeconds).toBeGreaterThanOrEqual(0)
      expect(finished.usage.teacher.peakRssBytes).toBeGreaterThan(1 << 20)
      expect(Date.parse(finished.finishedAt)).toBeGreaterThanOrEqual(Date.parse(finished.startedAt))
    })
  )

  it.scoped("a resumed sitting is appended to run.json; changed inputs refuse the resumption", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const data = `${dir}/train.conll`
      yield* fs.writeFileString(data, "EU B-ORG\n")
      const spec = { method: "en", lang: "de", seed: 1 }
      const now = () =>
        makeRunRecord({
          spec,
          dataFiles: [{ file: data, as: "train.conll" }],
          backend: "wasm",
          numerics: wasmNumerics
        })
      const first = yield* now()
      yield* writeRunRecord(dir, spec, first)
      yield* recordResumption(dir, yield* now(), { stage: "teacher", step: 100 })
      yield* recordResumption(dir, yield* now(), { stage: "student", step: 25 })
      const run = JSON.parse(yield* fs.readFileString(`${dir}/run.json`))
      expect(run.createdAt).toBe(first.createdAt)
      expect(run.resumes).toMatchObject([
        { stage: "teacher", step: 100, backend: "wasm", numerics: wasmNumerics, node: process.version },
        { stage: "student", step: 25, backend: "wasm" }
      ])
      // the data moved (another data root) but is the same: resumable
      const moved = `${dir}/moved.conll`
      yield* fs.writeFileString(moved, "EU B-ORG\n")
      const elsewhere = yield* makeRunRecord({
        spec,
        dataFiles: [{ file: moved, as: "train.conll" }],
        backend: "wasm",
        numerics: wasmNumerics
      })
      yield* recordResumption(dir, elsewhere, { stage: "student", step: 50 })
      yield* fs.writeFileString(data, "EU B-LOC\n")
      const refused = yield* Effect.flip(recordResumption(dir, yield* now(), { stage: "student", step: 50 }))
      expect(refused).toContain("train.conll changed since the run started")
      yield* fs.writeFileString(moved, "EU B-LOC\n")
      const movedAndChanged = yield* makeRunRecord({
        spec,
        dataFiles: [{ file: moved, as: "train.conll" }],
        backend: "wasm",
        numerics: wasmNumerics
      })
      expect(
        yield* Effect.flip(recordResumption(dir, movedAndChanged, { stage: "student", step: 75 }))
      ).toContain("train.conll changed since the run started")
      expect(JSON.parse(yield* fs.readFileString(`${dir}/run.json`)).resumes).toHaveLength(3)
    })
  )

  it.scoped("records made before numerics were recorded still read; differences are named", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const spec = { method: "en", lang: "de", seed: 1 }
      const record = yield* makeRunRecord({ spec, dataFiles: [], backend: "wasm", numerics: wasmNumerics })
      yield* writeRunRecord(dir, spec, record)
      const { numerics: _, ...old } = JSON.parse(yield* fs.readFileString(`${dir}/run.json`))
      yield* fs.writeFileString(`${dir}/run.json`, JSON.stringify(old))
      expect((yield* readRunJson(dir)).numerics).toBeUndefined()
      expect(numericsDiffer(wasmNumerics, wasmNumerics)).toStrictEqual([])
      expect(
        numericsDiffer(wasmNumerics, Numerics.make({ ...wasmNumerics, native: false, blasThreads: null }))
      ).toStrictEqual(["native true → false", "blasThreads 1 → n/a"])
    })
  )

  it.effect("names another OpenBLAS kernel set, and the OPENBLAS_CORETYPE that gives the recorded one", () =>
    Effect.sync(() => {
      const config = (core: string) =>
        `OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY ${core} MAX_THREADS=64`
      const skylake = Numerics.make({ ...wasmNumerics, blas: config("SkylakeX") })
      const cooper = Numerics.make({ ...wasmNumerics, blas: config("Cooperlake") })
      expect(numericsDiffer(skylake, cooper)).toStrictEqual([
        `blas "${config("SkylakeX")}" → "${config("Cooperlake")}"`
      ])
      expect(blasCoreToPin(skylake, cooper)).toBe("SkylakeX")
      expect(blasCoreToPin(skylake, skylake)).toBeUndefined()
      // a record made before the kernel set was recorded compares on the rest only
      expect(numericsDiffer(wasmNumerics, cooper)).toStrictEqual([])
      expect(blasCoreToPin(wasmNumerics, cooper)).toBeUndefined()
      // without native kernels now there is nothing to pin
      const stock = Numerics.make({ ...wasmNumerics, native: false, blasThreads: null, blas: null })
      expect(blasCoreToPin(skylake, stock)).toBeUndefined()
      expect(numericsDiffer(skylake, stock)).toContain(`blas "${config("SkylakeX")}" → n/a`)
    })
  )

  it.effect("names a change of GEMM; the built-in GEMM's thread count changes no bit and is not named", () =>
    Effect.sync(() => {
      const builtin = (threads: number) =>
        Numerics.make({ ...wasmNumerics, blasThreads: threads, gemm: "builtin", blas: null })
      expect(numericsDiffer(builtin(1), builtin(2))).toStrictEqual([])
      // a record from before the built-in GEMM ran on OpenBLAS
      expect(recordedGemm(wasmNumerics)).toBe("openblas")
      expect(recordedGemm(Numerics.make({ ...wasmNumerics, native: false, blasThreads: null }))).toBeNull()
      expect(numericsDiffer(wasmNumerics, builtin(1))).toStrictEqual(['gemm "openblas" → "builtin"'])
      // OpenBLAS's thread count does change the bits
      expect(numericsDiffer(wasmNumerics, Numerics.make({ ...wasmNumerics, blasThreads: 2 }))).toStrictEqual([
        "blasThreads 1 → 2"
      ])
    })
  )

  it.scoped("metrics.jsonl gets one parsable line per entry, across reopenings", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const path = `${yield* fs.makeTempDirectoryScoped()}/metrics.jsonl`
      yield* Effect.scoped(
        Effect.gen(function* () {
          const log = yield* openMetricsLog(path)
          yield* log.append({ step: 1, loss: 2.5 })
          // visible before the log closes
          expect(withoutTimes(yield* fs.readFileString(path))).toBe('{"step":1,"loss":2.5}\n')
          yield* Effect.forEach([2, 3], (step) => log.append({ step, loss: 1 / step }), { concurrency: 2 })
        })
      )
      const log = yield* openMetricsLog(path, { durable: true })
      yield* log.append({ step: 4, loss: Number.NaN, gradNorm: Number.POSITIVE_INFINITY })
      const lines = (yield* fs.readFileString(path))
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l))
      expect(lines.map((l) => l.step).sort()).toStrictEqual([1, 2, 3, 4])
      expect(lines[3]).toMatchObject({ step: 4, loss: "NaN", gradNorm: "Infinity" })
      // every line says when it was written: ISO times and elapsed seconds, both never decreasing
      const times = lines.map((l) => Date.parse(l.time))
      expect(times.every((t) => Number.isFinite(t))).toBe(true)
      expect(lines.every((l) => new Date(l.time).toISOString() === l.time)).toBe(true)
      const increasing = (xs: ReadonlyArray<number>) => xs.every((x, i) => i === 0 || x >= xs[i - 1]!)
      expect(increasing(times)).toBe(true)
      expect(increasing(lines.map((l) => l.elapsed))).toBe(true)
    })
  )

  it.effect("a reopened log's elapsed goes on from its last line; withoutTimes drops only the times", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const path = `${yield* fs.makeTempDirectoryScoped()}/metrics.jsonl`
      const write = (steps: ReadonlyArray<number>, advance: number) =>
        Effect.scoped(
          Effect.gen(function* () {
            const log = yield* openMetricsLog(path)
            for (const step of steps) {
              yield* TestClock.adjust(Duration.seconds(advance))
              yield* log.append({ step })
            }
          })
        )
      yield* write([1, 2], 1.5)
      yield* TestClock.adjust(Duration.hours(1)) // between sittings: not counted
      yield* write([3], 2)
      const text = yield* fs.readFileString(path)
      const lines = text
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l))
      expect(lines.map((l) => l.elapsed)).toStrictEqual([1.5, 3, 5])
      expect(lines.map((l) => l.time)).toStrictEqual([
        "1970-01-01T00:00:01.500Z",
        "1970-01-01T00:00:03.000Z",
        "1970-01-01T01:00:05.000Z"
      ])
      expect(withoutTimes(text)).toBe('{"step":1}\n{"step":2}\n{"step":3}\n')
    }).pipe(Effect.scoped)
  )
})
