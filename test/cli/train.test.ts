import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { Command } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, vi } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { TrainFlagsInvalid, trainCommand } from "../../src/cli/train.js"
import { readSpecFile } from "../../src/experiment/run.js"
import { ExperimentSpec } from "../../src/experiment/spec.js"
import { TranslationSourceInvalid } from "../../src/experiment/translations.js"
import { canonicalHash, canonicalJson } from "../../src/records/canonicalJson.js"
import { dataRoot, hasData } from "../support/data.js"
import { makeTinyRunModel, runLayer, tinyProtocol, tinySpec } from "../support/runs.js"

const train = (args: ReadonlyArray<string>) =>
  Command.run(trainCommand, { name: "train", version: "test" })(["node", "train", ...args])

describe("concner train --translations", () => {
  it.effect("refuses a source outside the syntax, naming it", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        train([
          "--method",
          "mulda",
          "--lang",
          "de",
          "--source-size",
          "8",
          "--model",
          ".",
          "--out",
          "/nonexistent/run",
          "--translations",
          "engine:google"
        ])
      )
      expect(error).toStrictEqual(new TranslationSourceInvalid({ text: "engine:google" }))
    }).pipe(Effect.provide(runLayer("cpu")))
  )
})

describe("concner train --spec", () => {
  it.effect("refuses run flags beside --spec, naming them, and asks for them without it", () =>
    Effect.gen(function* () {
      const beside = yield* Effect.flip(
        train(["--spec", "package.json", "--out", "/nonexistent/run", "--seed", "2", "--max-steps", "3"])
      )
      expect(beside).toStrictEqual(
        new TrainFlagsInvalid({ reason: "--spec gives every setting of the run; drop --seed, --max-steps" })
      )
      const missing = yield* Effect.flip(train(["--lang", "de", "--out", "/nonexistent/run"]))
      expect(missing).toStrictEqual(
        new TrainFlagsInvalid({ reason: "missing --method, --source-size (or give --spec FILE)" })
      )
    }).pipe(Effect.provide(runLayer("cpu")))
  )

  it.scoped("refuses a spec.json edited after its run (the recorded hash disagrees)", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const spec = yield* tinySpec("models/x", "en", tinyProtocol(10))
      const file = path.join(dir, "spec.json")
      const encoded = Schema.encodeSync(ExperimentSpec)(spec)
      yield* fs.writeFileString(file, canonicalJson({ sha256: canonicalHash(encoded), spec: encoded }))
      expect(yield* readSpecFile(file)).toStrictEqual(spec)
      yield* fs.writeFileString(
        file,
        canonicalJson({ sha256: canonicalHash(encoded), spec: { ...encoded, seed: 4 } })
      )
      const error = yield* Effect.flip(readSpecFile(file))
      expect(error._tag).toBe("SpecFileInvalid")
      expect(error.message).toContain("edited after the run?")
    }).pipe(Effect.provide(NodeContext.layer))
  )
})

describe.skipIf(!hasData)("concner train --translations engine:dictionary on real data", () => {
  it.scoped(
    "translates the sample with MUSE, trains on it (cpu backend) and records the translation",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const model = yield* makeTinyRunModel(dir)
        const run = path.join(dir, "run")
        const log = vi.spyOn(console, "log").mockImplementation(() => {})
        yield* train([
          "--method",
          "mulda",
          "--lang",
          "de",
          "--source-size",
          "16",
          "--seed",
          "1",
          "--model",
          model,
          "--out",
          run,
          "--protocol",
          "cpu",
          "--max-steps",
          "2",
          "--eval-every",
          "2",
          "--batch-size",
          "8",
          "--max-length",
          "32",
          "--dev-sentences",
          "40",
          "--test-sentences",
          "60",
          "--kd-epochs",
          "2",
          "--kd-sentences",
          "30",
          "--translations",
          "engine:dictionary",
          "--backend",
          "cpu",
          "--data",
          dataRoot,
          "--name",
          "dictionary-de",
          "--tag",
          "engines",
          "--tag",
          "smoke"
        ]).pipe(Effect.ensuring(Effect.sync(() => log.mockRestore())))
        const read = (file: string) => Effect.map(fs.readFileString(path.join(run, file)), JSON.parse)
        // run.json: the labels (outside the spec), when it started and finished, what each stage cost
        const labelled = yield* read("run.json")
        expect(labelled).toMatchObject({ name: "dictionary-de", tags: ["engines", "smoke"] })
        expect(Date.parse(labelled.finishedAt)).toBeGreaterThanOrEqual(Date.parse(labelled.startedAt))
        expect(Object.keys(labelled.usage).sort()).toEqual(["teacher"])
        expect(labelled.usage.teacher.cpuSeconds).toBeGreaterThan(0)
        expect(labelled.usage.teacher.peakRssBytes).toBeGreaterThan(50 * 2 ** 20)
        // every metrics.jsonl line says when: ISO times and elapsed seconds, never decreasing
        const lines = (yield* fs.readFileString(path.join(run, "metrics.jsonl")))
          .trimEnd()
          .split("\n")
          .map((l) => JSON.parse(l) as { time: string; elapsed: number })
        const times = lines.map((l) => Date.parse(l.time))
        expect(lines.every((l, i) => new Date(times[i]!).toISOString() === l.time)).toBe(true)
        expect(times.every((t, i) => i === 0 || t >= times[i - 1]!)).toBe(true)
        expect(lines.every((l, i) => i === 0 || l.elapsed >= lines[i - 1]!.elapsed)).toBe(true)
        expect(Date.parse(labelled.startedAt)).toBeLessThanOrEqual(times[0]!)
        const result = yield* read("result.json")
        expect(result).toMatchObject({
          method: "mulda",
          lang: "de",
          steps: 2,
          missingTranslations: 0,
          testSentences: 60
        })
        expect(result.translations).toEqual({ engine: "dictionary" })
        const recordedSpec = (yield* read("spec.json")).spec
        expect(recordedSpec.translations).toEqual({ engine: "dictionary" })
        expect(recordedSpec.protocol).toMatchObject({ evalEvery: 2, kdEpochs: 2, kdSentences: 30 })
        const dictionary = path.join(dataRoot, "dictionaries/muse/en-de.txt")
        const sha256 = createHash("sha256").update(readFileSync(dictionary)).digest("hex")
        const recorded = (yield* read("run.json")).dataFiles.find(
          (f: { path: string }) => f.path === "dictionaries/muse/en-de.txt"
        )
        expect(recorded?.sha256).toBe(sha256)
        const translation = yield* read("translation.json")
        expect(translation).toMatchObject({
          source: "engine:dictionary",
          engine: "dictionary:muse",
          dictionary: { path: "dictionaries/muse/en-de.txt", sha256 },
          report: { sentences: 16, kept: 16, dropped: 0, from: "en", to: "de" },
          dropped: []
        })
        expect(translation.report.coverage).toBeGreaterThan(0)

        // `--spec` re-runs the recorded run: the same spec and, but for the wall time, the same result,
        // on the backend its run.json records (not the default, the fastest available)
        const again = path.join(dir, "again")
        const log2 = vi.spyOn(console, "log").mockImplementation(() => {})
        const said = vi.spyOn(console, "error").mockImplementation(() => {})
        yield* train(["--spec", path.join(run, "spec.json"), "--out", again, "--data", dataRoot]).pipe(
          Effect.ensuring(Effect.sync(() => log2.mockRestore()))
        )
        const notes = said.mock.calls.map((args) => args.join(" ")).join("\n")
        said.mockRestore()
        expect(notes).toContain(`backend cpu, as ${path.join(run, "run.json")} records`)
        expect(notes).not.toContain("warning")
        expect((yield* read("run.json")).backend).toBe("cpu")
        expect((yield* read("run.json")).numerics).toStrictEqual({
          simd: null,
          threads: 1,
          native: false,
          blasThreads: null,
          gemm: null,
          blas: null
        })
        expect(JSON.parse(yield* fs.readFileString(path.join(again, "run.json"))).backend).toBe("cpu")
        const text = (dir: string, file: string) => fs.readFileString(path.join(dir, file))
        expect(yield* text(again, "spec.json")).toBe(yield* text(run, "spec.json"))
        const { seconds: _a, ...first } = result
        const { seconds: _b, ...second } = JSON.parse(yield* text(again, "result.json"))
        expect(second).toStrictEqual(first)
        expect(yield* text(again, "translation.json")).toBe(yield* text(run, "translation.json"))

        // a record made with other kernels is re-run, with a warning that names the difference
        const record = JSON.parse(yield* text(again, "run.json"))
        yield* fs.writeFileString(
          path.join(again, "run.json"),
          JSON.stringify({ ...record, numerics: { ...record.numerics, native: true, blasThreads: 1 } })
        )
        const log3 = vi.spyOn(console, "log").mockImplementation(() => {})
        const warned = vi.spyOn(console, "error").mockImplementation(() => {})
        yield* train([
          "--spec",
          path.join(again, "spec.json"),
          "--out",
          path.join(dir, "third"),
          "--data",
          dataRoot
        ]).pipe(Effect.ensuring(Effect.sync(() => log3.mockRestore())))
        const warning = warned.mock.calls.map((args) => args.join(" ")).join("\n")
        warned.mockRestore()
        expect(warning).toContain(
          "warning: this run was recorded with other kernels or threads (native true → false, blasThreads 1 → n/a)"
        )
      }).pipe(Effect.provide(runLayer("cpu"))),
    600_000
  )
})
