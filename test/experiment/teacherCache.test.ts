import { statSync } from "node:fs"
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { runDataFiles, teacherDataFiles } from "../../src/experiment/data.js"
import { progressHooks } from "../../src/experiment/progress.js"
import { runExperiment } from "../../src/experiment/run.js"
import { ExperimentSpec, cpuProtocol } from "../../src/experiment/spec.js"
import { teacherKey, teacherSpec } from "../../src/experiment/teacherCache.js"
import { withoutTimes } from "../../src/records/metricsLog.js"
import { Numerics } from "../../src/records/runRecord.js"
import { silentProgress } from "../../src/runtime/Progress.js"
import { tf } from "../../src/runtime/tf.js"
import { hasData } from "../support/data.js"
import { makeTinyRunModel, runLayer, tinyProtocol, tinySpec } from "../support/runs.js"

const spec = (overrides: Record<string, unknown>) =>
  Schema.decodeUnknownSync(ExperimentSpec)({
    method: "en",
    lang: "de",
    corpus: "conll",
    sourceSize: 1000,
    seed: 1,
    model: "models/concner-small",
    translations: "mulda",
    mismatches: "keep",
    protocol: cpuProtocol,
    ...overrides
  })

const key = (overrides: Record<string, unknown>) => JSON.stringify(teacherSpec(spec(overrides)))

describe("which cells share a teacher", () => {
  it("En's teacher is the same for every target; MulDA's and ConCNER's are not", () => {
    expect(key({ lang: "es" })).toBe(key({ lang: "de" }))
    expect(key({ lang: "nl", translations: "deepl-awesome", mismatches: "drop" })).toBe(key({}))
    expect(key({ method: "mulda", lang: "es" })).not.toBe(key({ method: "mulda" }))
    expect(key({ method: "mulda", mismatches: "drop" })).not.toBe(key({ method: "mulda" }))
  })

  it("ConCNER's teacher is En+Trans+LCL+TCL's; distillation and test settings do not count", () => {
    expect(key({ method: "concner" })).toBe(key({ method: "en-trans-lcl-tcl" }))
    expect(key({ method: "concner-no-kd" })).toBe(key({ method: "concner" }))
    const protocol = { ...cpuProtocol, kdEpochs: 3, kdSentences: 10, kdMaxSteps: 5, testSentences: 7 }
    expect(key({ protocol })).toBe(key({}))
    expect(key({ method: "concner-no-tcl" })).not.toBe(key({ method: "concner" }))
  })

  it("everything else the teacher reads separates teachers", () => {
    expect(key({ seed: 2 })).not.toBe(key({}))
    expect(key({ sourceSize: 500 })).not.toBe(key({}))
    expect(key({ model: "other" })).not.toBe(key({}))
    expect(key({ corpus: "wikiann" })).not.toBe(key({}))
    for (const change of [{ lr: 1e-4 }, { evalEvery: 50 }, { devSentences: 500 }, { maxLength: 32 }])
      expect(key({ protocol: { ...cpuProtocol, ...change } })).not.toBe(key({}))
  })

  it("the teacher reads neither the target's test set nor its train text", () => {
    const en = spec({})
    expect(teacherDataFiles(en)).toEqual(runDataFiles(en).slice(0, 2))
    const mulda = spec({ method: "mulda" })
    expect(teacherDataFiles(mulda)).toEqual(runDataFiles(mulda).filter((f) => !f.startsWith("conll/de/")))
    expect(teacherDataFiles(mulda)).toHaveLength(4) // English train and dev, the translations and their index
  })
})

describe.skipIf(!hasData)("a grid's cells sharing a teacher", () => {
  it.effect("keys: the same for En across targets, another for other kernels", () =>
    Effect.gen(function* () {
      const numerics = Numerics.make({ simd: true, threads: 1, native: true, blasThreads: 1 })
      const de = yield* teacherKey(spec({}), "wasm", numerics)
      expect(yield* teacherKey(spec({ lang: "es" }), "wasm", numerics)).toBe(de)
      expect(yield* teacherKey(spec({}), "wasm", { ...numerics, native: false })).not.toBe(de)
      expect(yield* teacherKey(spec({}), "wasm", { ...numerics, blasThreads: 2 })).not.toBe(de)
    }).pipe(Effect.provide(runLayer("cpu")))
  )

  it.scoped(
    "a taken teacher gives the numbers and metrics training it would (cpu)",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const model = yield* makeTinyRunModel(dir)
        const protocol = tinyProtocol(120)
        const teachers = path.join(dir, "teachers")
        const run = (method: string, name: string, options: { readonly teachers?: string }) =>
          Effect.gen(function* () {
            const runDir = path.join(dir, name)
            const result = yield* Effect.scoped(
              Effect.flatMap(progressHooks(runDir, silentProgress), (hooks) =>
                Effect.flatMap(tinySpec(model, method, protocol), (s) =>
                  runExperiment(s, runDir, hooks, options)
                )
              )
            )
            const read = (f: string) => fs.readFileString(path.join(runDir, f))
            return {
              result: { ...result, seconds: 0 },
              // a taken teacher's lines keep the times they were written at
              metrics: withoutTimes(yield* read("metrics.jsonl")),
              record: JSON.parse(yield* read("run.json"))
            }
          })
        // the ablation trains and publishes the teacher; ConCNER takes it and only distills
        const donor = yield* run("en-trans-lcl-tcl", "ablation", { teachers })
        expect(donor.record.teacherFrom).toBeUndefined()
        expect((yield* fs.readDirectory(teachers)).filter((f) => !f.startsWith("."))).toHaveLength(1)
        const before = tf.memory().numTensors
        const taking = yield* run("concner", "concner", { teachers })
        expect(tf.memory().numTensors).toBe(before)
        // named relative to the run that took it: no path of the machine in a record
        expect(taking.record.teacherFrom.runDir).toBe("../ablation")
        const fresh = yield* run("concner", "fresh", {})
        expect(taking.result).toEqual(fresh.result)
        expect(taking.metrics).toBe(fresh.metrics)
        expect(taking.result.student).toBeDefined()
        // and the ablation's own numbers are its teacher's
        const { student: _, method: _m, ...teacherPart } = fresh.result
        const { method: _d, ...donorPart } = donor.result
        expect(donorPart).toEqual(teacherPart)
        expect(fresh.metrics.startsWith(donor.metrics)).toBe(true)
        // published once: the taker does not publish again
        const published = (yield* fs.readDirectory(teachers)).filter((f) => !f.startsWith("."))
        expect(published).toHaveLength(1)
        // the weights are one file linked thrice (the ablation's, the published one, ConCNER's), not copies
        const weights = path.join(teachers, published[0]!, "model.safetensors")
        expect(statSync(weights).nlink).toBe(3)
        expect(statSync(path.join(dir, "concner", "teacher", "model.safetensors")).ino).toBe(
          statSync(weights).ino
        )
      }).pipe(Effect.provide(runLayer("cpu"))),
    600_000
  )
})
