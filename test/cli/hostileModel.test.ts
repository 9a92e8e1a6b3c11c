/**
 * Broken model folders at the CLI, where a user meets them: a hostile config.json, a vocab.txt longer
 * than the embedding, NaN and Inf weights. Each fails with a message naming what is wrong — no hang,
 * no tfjs stack trace, no null hidden states or all-O tags.
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { NodeContext } from "@effect/platform-node"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { labelSetOf } from "../../src/data/labels.js"
import { predictTags } from "../../src/eval/predict.js"
import { NonFiniteOutput, VocabLargerThanModel } from "../../src/model/errors.js"
import { loadModelFolder } from "../../src/model/modelFolder.js"
import { decodeSafetensors, encodeSafetensors } from "../../src/model/safetensors.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { tf } from "../../src/runtime/tf.js"
import { FIXTURE_DIR } from "../model/fixture.js"
import { concner } from "../support/cli.js"
import { removeTempDirs, tempDir } from "../support/tempDir.js"

afterAll(removeTempDirs)

/** A copy of the PyTorch fixture folder, changed by `edit`. */
const brokenFixture = (edit: (dir: string) => void) => {
  const dir = tempDir("concner-hostile-model-")
  cpSync(FIXTURE_DIR, dir, { recursive: true })
  edit(dir)
  return dir
}

const editConfig = (dir: string, change: Record<string, unknown>) => {
  const file = join(dir, "config.json")
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, "utf8")), ...change }))
}

/** Sets element `at` of tensor `name` in the folder's model.safetensors to `value`. */
const poison = (dir: string, name: string, at: number, value: number) => {
  const file = join(dir, "model.safetensors")
  const { tensors, metadata } = Either.getOrThrow(decodeSafetensors(readFileSync(file), file))
  const floats = new Map(
    [...tensors].map(([key, t]) => [key, { shape: t.shape, data: Float32Array.from(t.data as Float32Array) }])
  )
  floats.get(name)!.data[at] = value
  writeFileSync(file, Either.getOrThrow(encodeSafetensors(floats, metadata, "F32")))
}

const CONLL = "Peter B-PER\nlives O\nhere O\n"
const encode = (dir: string) =>
  concner(["encode", "--model", dir, "--backend", "cpu"], { input: "Peter lives here\n", limitMs: 60_000 })
const predict = (dir: string) =>
  concner(["predict", "--model", dir, "--backend", "cpu", "-"], { input: CONLL, limitMs: 60_000 })

const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m)

describe("broken model folders", () => {
  it.effect("a config.json with a million layers fails at once, naming the field", () =>
    Effect.gen(function* () {
      const run = yield* encode(brokenFixture((dir) => editConfig(dir, { num_hidden_layers: 1_000_000 })))
      expect(run.timedOut).toBe(false)
      expect(run.status).toBe(1)
      expect(run.stdout).toBe("")
      expect(run.stderr).toMatch(/config\.json: num_hidden_layers: 1000000 is larger than concner accepts/)
      noStack(run.stderr)
    })
  )

  it.effect("a vocab.txt longer than vocab_size fails in encode and predict, not in GatherV2", () =>
    Effect.gen(function* () {
      const dir = brokenFixture((dir) =>
        writeFileSync(join(dir, "vocab.txt"), `${readFileSync(join(dir, "vocab.txt"), "utf8")}extra\nmore\n`)
      )
      const [encoded, predicted] = yield* Effect.all([encode(dir), predict(dir)], { concurrency: 2 })
      for (const run of [encoded, predicted]) {
        expect(run.status).toBe(1)
        expect(run.stdout).toBe("")
        expect(run.stderr).toMatch(/vocab\.txt: 57 tokens, but config\.json's vocab_size is 55/)
        expect(run.stderr).not.toMatch(/GatherV2/)
        noStack(run.stderr)
      }
    })
  )

  it.scoped("the vocabulary is checked before the weights are read or any tensor is built", () =>
    Effect.gen(function* () {
      const dir = brokenFixture((dir) => {
        writeFileSync(join(dir, "vocab.txt"), `${readFileSync(join(dir, "vocab.txt"), "utf8")}extra\n`)
        writeFileSync(join(dir, "model.safetensors"), "not a safetensors file")
      })
      const before = tf.memory().numTensors
      const error = yield* Effect.flip(loadModelFolder(dir))
      expect(error).toBeInstanceOf(VocabLargerThanModel)
      expect(tf.memory().numTensors).toBe(before)
    }).pipe(Effect.provide([NodeContext.layer, TensorRuntime.layer({ backend: "cpu" })]))
  )

  it.effect("NaN and Inf weights fail naming the tensor and the first bad index", () =>
    Effect.gen(function* () {
      const nan = brokenFixture((dir) =>
        poison(dir, "bert.encoder.layer.1.output.dense.weight", 70, Number.NaN)
      )
      const inf = brokenFixture((dir) => poison(dir, "classifier.weight", 33, Number.POSITIVE_INFINITY))
      const [encodedNan, predictedNan, predictedInf] = yield* Effect.all(
        [encode(nan), predict(nan), predict(inf)],
        { concurrency: 2 }
      )
      for (const run of [encodedNan, predictedNan]) {
        expect(run.status).toBe(1)
        expect(run.stdout).toBe("")
        expect(run.stderr).toMatch(
          /tensor "bert\.encoder\.layer\.1\.output\.dense\.weight" holds NaN at \[1, 6\]/
        )
        noStack(run.stderr)
      }
      expect(predictedInf.status).toBe(1)
      expect(predictedInf.stdout).toBe("")
      expect(predictedInf.stderr).toMatch(/tensor "classifier\.weight" holds Infinity at \[1, 1\]/)
    })
  )

  it.scoped("finite weights that overflow give NonFiniteOutput from predictTags, not all-O tags", () =>
    Effect.gen(function* () {
      const loaded = yield* loadModelFolder(FIXTURE_DIR)
      const weight = loaded.params["classifier.weight"]!
      tf.tidy(() => weight.assign(tf.fill(weight.shape, 3e38)))
      const labels = labelSetOf(loaded.config.labels!)
      const predicted = predictTags(loaded.params, loaded.config, loaded.tokenizer, labels, [
        { tokens: ["Peter", "lives", "here"] }
      ])
      expect(Either.isLeft(predicted)).toBe(true)
      expect(Either.flip(predicted).pipe(Either.getOrThrow)).toBeInstanceOf(NonFiniteOutput)
    }).pipe(Effect.provide([NodeContext.layer, TensorRuntime.layer({ backend: "cpu" })]))
  )
})
