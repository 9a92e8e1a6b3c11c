/**
 * A run folder holds one run: the lock (`run.lock`), same-run detection, refusal of another spec,
 * and the `concner train` behaviour a user meets (concurrent runs, a re-run, another seed).
 */
import { spawnSync } from "node:child_process"
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs"
import { hostname } from "node:os"
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Option, Schema } from "effect"
import { RunFolderTaken, claimRunFolder, differingFields } from "../../src/experiment/runFolder.js"
import { ExperimentSpec } from "../../src/experiment/spec.js"
import { canonicalHash, canonicalJson } from "../../src/records/canonicalJson.js"
import { RunFolderLocked } from "../../src/train/errors.js"
import { LOCK_FILE, lockRunFolder } from "../../src/train/runLock.js"
import { concner } from "../support/cli.js"
import { dataRoot, hasData } from "../support/data.js"
import { makeTinyRunModel, runLayer, tinyProtocol, tinySpec } from "../support/runs.js"

/** Every file under `dir` with its bytes, to compare a folder before and after. */
const snapshot = (dir: string): Record<string, string> =>
  Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const file = path.join(e.parentPath, e.name)
        return [path.relative(dir, file), readFileSync(file).toString("base64")]
      })
  )

/** The pid of a process that has ended. */
const deadPid = () =>
  spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]).stdout.toString()

describe("run.lock", () => {
  it.scoped("one holder at a time; released when the scope closes; re-entrant in the holding fiber", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = path.join(yield* fs.makeTempDirectoryScoped(), "run")
      const holding = yield* Deferred.make<void>()
      const done = yield* Deferred.make<void>()
      const holder = Effect.scoped(
        Effect.gen(function* () {
          yield* lockRunFolder(dir)
          yield* lockRunFolder(dir) // the same fiber again (train → runExperiment)
          yield* Deferred.succeed(holding, undefined)
          yield* Deferred.await(done)
        })
      )
      const other = Effect.gen(function* () {
        yield* Deferred.await(holding)
        const held = JSON.parse(readFileSync(path.join(dir, LOCK_FILE), "utf8"))
        expect(held).toMatchObject({ pid: process.pid, host: hostname() })
        const error = yield* Effect.flip(Effect.scoped(lockRunFolder(dir)))
        yield* Deferred.succeed(done, undefined)
        return error
      })
      const [, error] = yield* Effect.all([holder, other], { concurrency: 2 })
      expect(error).toBeInstanceOf(RunFolderLocked)
      expect(error.message).toMatch(new RegExp(`in use by another concner run \\(pid ${process.pid} on `))
      expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("a dead holder's lock is reported and taken over; another host's is refused", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const lock = path.join(dir, LOCK_FILE)
      const dead = Number(deadPid())
      writeFileSync(
        lock,
        JSON.stringify({ pid: dead, host: hostname(), started: "2026-01-01T00:00:00.000Z" })
      )
      yield* Effect.scoped(lockRunFolder(dir))
      expect(existsSync(lock)).toBe(false)
      expect(readdirSync(dir)).toStrictEqual([])
      writeFileSync(
        lock,
        JSON.stringify({ pid: dead, host: "elsewhere", started: "2026-01-01T00:00:00.000Z" })
      )
      const refused = yield* Effect.flip(Effect.scoped(lockRunFolder(dir)))
      expect(refused.message).toMatch(
        /locked by a run on another machine \(pid \d+ on elsewhere.*delete .*run\.lock/
      )
      expect(existsSync(lock)).toBe(true)
    }).pipe(Effect.provide(NodeContext.layer))
  )
})

describe("claimRunFolder", () => {
  it("names the fields where two specs differ", () => {
    expect(
      differingFields({ seed: 1, protocol: { lr: 1, a: 2 } }, { seed: 2, protocol: { lr: 1 } })
    ).toStrictEqual(["protocol.a (2 there, absent here)", "seed (1 there, 2 here)"])
  })

  it.scoped(
    "empty → start; another spec → refused, untouched; same spec unfinished → resume; finished → its result",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const spec = yield* tinySpec("models/x", "en", tinyProtocol(10))
        expect(Option.isNone(yield* Effect.scoped(claimRunFolder(spec, dir)))).toBe(true)
        const encoded = Schema.encodeSync(ExperimentSpec)(spec)
        writeFileSync(
          path.join(dir, "spec.json"),
          canonicalJson({ sha256: canonicalHash(encoded), spec: encoded })
        )
        writeFileSync(path.join(dir, "metrics.jsonl"), '{"step":0}\n')
        const before = snapshot(dir)
        const other = yield* tinySpec("models/x", "en", tinyProtocol(10)).pipe(
          Effect.map((s) => ExperimentSpec.make({ ...s, seed: 4 }))
        )
        const refused = yield* Effect.flip(Effect.scoped(claimRunFolder(other, dir)))
        expect(refused).toBeInstanceOf(RunFolderTaken)
        expect(refused.message).toBe(
          `${dir}: holds another run, whose seed (3 there, 4 here) differs; a folder holds one run: choose another --out`
        )
        expect(snapshot(dir)).toStrictEqual(before)
        const unfinished = yield* Effect.flip(Effect.scoped(claimRunFolder(spec, dir)))
        expect(unfinished.message).toMatch(/holds this run, unfinished: continue it with `concner resume /)
        const result = {
          method: "en",
          lang: "de",
          corpus: "conll",
          sourceSize: 24,
          seed: 3,
          protocol: "test",
          model: "models/x",
          dev: { f1: 1, step: 2 },
          test: { f1: 2, precision: 3, recall: 4, byType: {} },
          steps: 2,
          unpredictedTestWords: 0,
          testSentences: 10,
          missingTranslations: 0,
          seconds: 1
        }
        writeFileSync(path.join(dir, "result.json"), JSON.stringify(result))
        const finished = yield* Effect.scoped(claimRunFolder(spec, dir))
        expect(Option.getOrThrow(finished)).toMatchObject({ seed: 3, steps: 2 })
        writeFileSync(path.join(dir, "spec.json"), "{")
        const notRun = yield* Effect.flip(Effect.scoped(claimRunFolder(spec, dir)))
        expect(notRun.message).toMatch(/is not a concner spec\.json/)
      }).pipe(Effect.provide(NodeContext.layer))
  )
})

const trainArgs = (model: string, out: string, seed: string) => [
  "train",
  "--method",
  "en",
  "--lang",
  "de",
  "--source-size",
  "16",
  "--seed",
  seed,
  "--model",
  model,
  "--out",
  out,
  "--max-steps",
  "2",
  "--eval-every",
  "2",
  "--batch-size",
  "8",
  "--max-length",
  "32",
  "--dev-sentences",
  "20",
  "--test-sentences",
  "20",
  "--backend",
  "cpu",
  "--data",
  dataRoot
]

/** metrics.jsonl's lines (each names its stage and step, so a run's lines are distinct). */
const steps = (dir: string) =>
  readFileSync(path.join(dir, "metrics.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l !== "")

/** A tiny model over the data's text, and where a run of it goes. */
const tinyRunFolder = Effect.gen(function* () {
  const dir = yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped()
  return { model: yield* makeTinyRunModel(dir), out: path.join(dir, "run") }
})

describe.skipIf(!hasData)("concner train into a run folder", () => {
  it.scoped(
    "without a TTY it prints progress lines; Ctrl-C stops it with the command that resumes it, which finishes it with a table",
    () =>
      Effect.gen(function* () {
        const { model, out } = yield* tinyRunFolder
        // 200 steps, an evaluation every 20
        const args = trainArgs(model, out, "1")
        const set = (flag: string, value: string) => args.splice(args.indexOf(flag) + 1, 1, value)
        set("--max-steps", "200")
        set("--eval-every", "20")
        args.push("--epochs", "100")
        const stopped = yield* concner(args, {
          interrupt: { when: /\[1\/1\] teacher \d+\/200 .*loss/, signal: "SIGINT" }
        })
        expect(stopped.status, stopped.stderr).toBe(130)
        expect(stopped.stderr).toContain(
          `interrupted: the run is resumable from its last evaluation with\n  concner resume ${out} --data ${dataRoot} --backend cpu\n`
        )
        const resumed = yield* concner(["resume", out, "--data", dataRoot, "--backend", "cpu"])
        expect(resumed.status, resumed.stderr).toBe(0)
        expect(resumed.stdout).toMatch(
          /^Test F1 on CoNLL de \(16 English sentences, seed 1, model .*\)\n\| method +\| teacher F1 +\| student F1/
        )
        expect(resumed.stderr).toMatch(/\[1\/1\] teacher 200\/200 .*loss \d/)
      }).pipe(Effect.provide(runLayer("cpu"))),
    600_000
  )

  it.scoped(
    "two at once: exactly one runs; a re-run does not retrain; another seed is refused and changes nothing",
    () =>
      Effect.gen(function* () {
        const { model, out } = yield* tinyRunFolder
        const [a, b] = yield* Effect.all(
          [concner(trainArgs(model, out, "1")), concner(trainArgs(model, out, "1"))],
          {
            concurrency: 2
          }
        )
        const ran = [a, b].filter((r) => r.status === 0 && !r.stderr.includes("already finished"))
        expect(ran, `${a.stderr}\n---\n${b.stderr}`).toHaveLength(1)
        const other = a === ran[0] ? b : a
        // the other met the lock, or (started late) the finished run
        if (other.status !== 0) expect(other.stderr).toMatch(/in use by another concner run \(pid \d+ on /)
        else expect(other.stderr).toMatch(/already finished/)
        expect(other.stderr).not.toMatch(/^\s+at /m)
        const once = steps(out)
        expect(new Set(once).size).toBe(once.length)
        expect(existsSync(path.join(out, LOCK_FILE))).toBe(false)
        const finished = snapshot(out)

        const again = yield* concner([...trainArgs(model, out, "1"), "--json"])
        expect(again.status, again.stderr).toBe(0)
        expect(again.stderr).toMatch(/already finished/)
        expect(JSON.parse(again.stdout)).toStrictEqual(
          JSON.parse(readFileSync(path.join(out, "result.json"), "utf8"))
        )
        expect(snapshot(out)).toStrictEqual(finished)

        const seed2 = yield* concner(trainArgs(model, out, "2"))
        expect(seed2.status).toBe(1)
        expect(seed2.stderr).toMatch(/holds another run, whose seed \(1 there, 2 here\) differs/)
        expect(snapshot(out)).toStrictEqual(finished)
      }).pipe(Effect.provide(runLayer("cpu"))),
    600_000
  )

  it.scoped(
    "a folder locked by a live process is refused, naming the holder",
    () =>
      Effect.gen(function* () {
        const { model, out } = yield* tinyRunFolder
        yield* lockRunFolder(out)
        const run = yield* concner(trainArgs(model, out, "1"))
        expect(run.status).toBe(1)
        expect(run.stderr.trim()).toMatch(
          new RegExp(`in use by another concner run \\(pid ${process.pid} on ${hostname()}`)
        )
        expect(readdirSync(out)).toStrictEqual([LOCK_FILE])
      }).pipe(Effect.provide(runLayer("cpu"))),
    600_000
  )
})
