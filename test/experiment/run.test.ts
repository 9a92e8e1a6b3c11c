import * as path from "node:path"
import { Command } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { describe, expect, it, vi } from "@effect/vitest"
import { Data, Effect, Exit, Option } from "effect"
import { predictCommand } from "../../src/cli/predict.js"
import { conllTypes, labelSet } from "../../src/data/labels.js"
import { decodeConlleval } from "../../src/eval/input.js"
import { progressHooks } from "../../src/experiment/progress.js"
import { resumeExperiment, runExperiment } from "../../src/experiment/run.js"
import { loadStageCheckpoint } from "../../src/experiment/state.js"
import { withoutTimes } from "../../src/records/metricsLog.js"
import { silentProgress } from "../../src/runtime/Progress.js"
import { tf } from "../../src/runtime/tf.js"
import { hasData } from "../support/data.js"
import { makeTinyRunModel, runLayer, tinyProtocol, tinySpec } from "../support/runs.js"

const protocol = tinyProtocol(120)
const makeModel = makeTinyRunModel
const specFor = (model: string, method = "concner") => tinySpec(model, method, protocol)
const layerOn = runLayer

class Stop extends Data.TaggedError("Stop")<{ readonly after: number }> {}

describe.skipIf(!hasData)("a run on real data", () => {
  it.scoped(
    "trains, selects on dev, distills and scores (ConCNER, de, wasm)",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const spec = yield* specFor(yield* makeModel(dir))
        const events: Array<string> = []
        const before = tf.memory().numTensors
        const result = yield* runExperiment(spec, path.join(dir, "run"), {
          onEvent: (stage, event) => Effect.sync(() => events.push(`${stage}:${event._tag}`))
        })
        expect(tf.memory().numTensors).toBe(before)
        // 24 sampled sentences, those with a MulDA translation in batches of 8 (one has none)
        expect(result.missingTranslations).toBe(1)
        expect(result.steps).toBe(3)
        expect(result.student?.steps).toBe(2) // 16 unlabeled German sentences
        expect(result.testSentences).toBe(120)
        expect(events.filter((e) => e === "teacher:Step")).toHaveLength(3)
        expect(events.filter((e) => e === "teacher:Eval")).toHaveLength(2) // step 2 and the last
        expect(events.filter((e) => e === "student:Eval")).toHaveLength(1)
        for (const s of [result.test, result.student!.test]) expect(s.f1).toBeGreaterThanOrEqual(0)
        const run = path.join(dir, "run")
        const saved = JSON.parse(yield* fs.readFileString(path.join(run, "result.json")))
        expect(saved).toEqual(JSON.parse(JSON.stringify(result)))
        const record = JSON.parse(yield* fs.readFileString(path.join(run, "run.json")))
        expect(record.backend).toBe("wasm")
        // named relative to the data root (never a path of this machine)
        expect(record.dataFiles.map((f: { path: string }) => f.path)).toContain(
          "translations/conll2003-en-train/mulda/de/train.txt"
        )
        // both stages' cost, and when the run finished
        expect(Object.keys(record.usage).sort()).toEqual(["student", "teacher"])
        expect(Date.parse(record.finishedAt)).toBeGreaterThanOrEqual(Date.parse(record.startedAt))
        for (const stage of ["teacher", "student"])
          expect(yield* fs.exists(path.join(run, stage, "model.safetensors"))).toBe(true)
        // `concner predict` on the saved teacher prints conlleval input that `evaluate` scores
        const sample = path.join(dir, "sample.conll")
        yield* fs.writeFileString(
          sample,
          "EU B-ORG\nrejects O\nGerman B-MISC\ncall O\n\nPeter B-PER\nBlackburn I-PER\n\n"
        )
        const log = vi.spyOn(console, "log").mockImplementation(() => {})
        yield* Command.run(predictCommand, { name: "predict", version: "test" })([
          "node",
          "predict",
          "--model",
          path.join(run, "teacher"),
          "--backend",
          "wasm",
          sample
        ])
        const printed = log.mock.calls.map((args) => args.join(" ")).join("\n")
        log.mockRestore()
        const rows = printed.split("\n").filter((l) => l !== "")
        expect(rows.map((r) => r.split(" ").slice(0, 2).join(" "))).toEqual([
          "EU B-ORG",
          "rejects O",
          "German B-MISC",
          "call O",
          "Peter B-PER",
          "Blackburn I-PER"
        ])
        for (const r of rows) expect(labelSet(conllTypes).tags).toContain(r.split(" ")[2])
        const scored = yield* decodeConlleval(printed, "predicted")
        expect(scored.sentences).toHaveLength(2)
      }).pipe(Effect.provide(layerOn("wasm"))),
    600_000
  )

  it.scoped(
    "the in-language ceiling (tgt) trains on German gold sentences, selects on German dev, and distils nothing",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const spec = yield* specFor(yield* makeModel(dir), "tgt")
        const run = path.join(dir, "run")
        const before = tf.memory().numTensors
        const result = yield* runExperiment(spec, run, { onEvent: () => Effect.void })
        expect(tf.memory().numTensors).toBe(before)
        expect([result.steps, result.missingTranslations, result.student]).toEqual([3, 0, undefined])
        const record = JSON.parse(yield* fs.readFileString(path.join(run, "run.json")))
        const read = record.dataFiles.map((f: { path: string }) => f.path)
        expect(read).toEqual(expect.arrayContaining(["conll/de/train.txt", "conll/de/dev.txt"]))
        expect(read.filter((f: string) => f.includes("/en/") || f.includes("translations/"))).toEqual([])
      }).pipe(Effect.provide(layerOn("cpu"))),
    600_000
  )

  it.scoped(
    "a run stopped at any event and resumed matches an uninterrupted one (cpu)",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const spec = yield* specFor(yield* makeModel(dir))
        const whole = path.join(dir, "whole")
        const reference = yield* Effect.scoped(
          Effect.flatMap(progressHooks(whole, silentProgress), (hooks) => runExperiment(spec, whole, hooks))
        )
        const metrics = yield* fs.readFileString(path.join(whole, "metrics.jsonl"))
        const events = metrics.trim().split("\n").length
        // stop once in the teacher stage and once in the student stage (events: 3 steps + 2 evals, then 2 + 1)
        for (const after of [2, 6]) {
          const run = path.join(dir, `stopped-${after}`)
          let seen = 0
          const stopped = yield* Effect.exit(
            Effect.scoped(
              Effect.flatMap(progressHooks(run, silentProgress), (hooks) =>
                runExperiment(spec, run, {
                  onEvent: (stage, event, total) =>
                    ++seen > after ? Effect.die(new Stop({ after })) : hooks.onEvent(stage, event, total)
                })
              )
            )
          )
          expect(Exit.isFailure(stopped)).toBe(true)
          // after 2 events no evaluation has saved a state yet; after 6 one has, with the time spent
          const saved = Option.map(yield* loadStageCheckpoint(run), (state) => state.seconds)
          expect(Option.isSome(saved)).toBe(after === 6)
          const before = Option.getOrElse(saved, () => 0)
          if (Option.isSome(saved)) expect(before).toBeGreaterThan(0)
          const resumed = yield* resumeExperiment(run, progressHooks(run, silentProgress))
          expect({ ...resumed, seconds: 0 }).toEqual({ ...reference, seconds: 0 })
          // the earlier sitting's time counts in the result
          expect(resumed.seconds).toBeGreaterThan(before)
          // a sitting from a saved state is appended to run.json; one from the start rewrites it
          const record = JSON.parse(yield* fs.readFileString(path.join(run, "run.json")))
          expect(record.resumes?.map((r: { stage: string }) => r.stage)).toEqual(
            after === 6 ? ["teacher"] : undefined
          )
          expect(withoutTimes(yield* fs.readFileString(path.join(run, "metrics.jsonl")))).toBe(
            withoutTimes(metrics)
          )
        }
        expect(events).toBe(8)
      }).pipe(Effect.provide(layerOn("cpu"))),
    900_000
  )
})
