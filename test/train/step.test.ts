import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, Stream } from "effect"
import { paperObjectives } from "../../src/losses/objective.js"
import { decodeBertConfig } from "../../src/model/config.js"
import { initParams, scopedParams } from "../../src/model/params.js"
import { tf } from "../../src/runtime/tf.js"
import { START } from "../../src/train/Batcher.js"
import { CheckpointSelector } from "../../src/train/CheckpointSelector.js"
import { makeAdamW } from "../../src/train/adamw.js"
import { type Batch, makeBatch } from "../../src/train/batches.js"
import { trainingDefaults } from "../../src/train/defaults.js"
import { trainStage } from "../../src/train/loop.js"
import { constantSchedule } from "../../src/train/schedule.js"
import { trainStep } from "../../src/train/step.js"
import { snapshotWeights } from "../../src/train/weights.js"
import { syntheticExamples as examples, syntheticLabels as labels } from "../support/synthetic.js"
import { tinyConfig } from "../support/tinyModel.js"

const config = Either.getOrThrow(decodeBertConfig(tinyConfig(40), "tiny/config.json"))

const settings = {
  run: "test-run",
  seed: 1,
  objective: paperObjectives["concner-no-kd"],
  stage: "teacher" as const,
  maxGradNorm: 1,
  tagTypes: labels.tagTypes
}

describe("the training step", () => {
  it.scoped(
    "a poisoned weight stops the run with NonFiniteLoss naming step and batch, and updates nothing",
    () =>
      Effect.gen(function* () {
        yield* Effect.promise(() => tf.setBackend("cpu"))
        const params = yield* scopedParams(() => initParams(config, labels.tags.length, 3))
        const optimizer = yield* makeAdamW(params)
        const batch = makeBatch(examples, [0, 1, 2], "paired", 0, { epoch: 2, batch: 5 })
        params["classifier.bias"]!.assign(tf.fill([labels.tags.length], Number.NaN))
        const before = snapshotWeights(params)
        const tensors = tf.memory().numTensors
        const result = trainStep({ params, config, optimizer }, settings, batch, 17, 1e-3)
        expect(Either.isLeft(result)).toBe(true)
        const error = Either.getLeft(result).pipe((o) => (o._tag === "Some" ? o.value : undefined))
        expect(error?._tag).toBe("NonFiniteLoss")
        expect(error).toMatchObject({ run: "test-run", step: 17, batch: 5 })
        expect(tf.memory().numTensors).toBe(tensors)
        expect(optimizer.step()).toBe(0)
        const after = snapshotWeights(params)
        for (const [k, v] of Object.entries(before)) expect(after[k]).toEqual(v)
      })
  )

  it.scoped("the loop fails with the step's error instead of training on", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => tf.setBackend("cpu"))
      const params = yield* scopedParams(() => initParams(config, labels.tags.length, 3))
      const optimizer = yield* makeAdamW(params)
      params["bert.embeddings.LayerNorm.weight"]!.assign(
        tf.fill([config.hiddenSize], Number.POSITIVE_INFINITY)
      )
      const stage = {
        ...settings,
        rows: "paired" as const,
        batchSize: 2,
        epochs: 1,
        evalEvery: 1,
        schedule: constantSchedule(1e-3),
        padId: 0
      }
      const selection = yield* (yield* CheckpointSelector).open()
      const exit = yield* Effect.exit(
        Stream.runDrain(
          trainStage(
            { params, config, optimizer },
            stage,
            examples,
            () => Effect.succeed(0),
            selection,
            START
          )
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) expect(JSON.stringify(exit.cause)).toMatch(/NonFinite(Loss|Gradient)/)
    }).pipe(Effect.provide(trainingDefaults))
  )

  it.scoped("a step leaves numTensors unchanged (after the first, which makes nothing either)", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => tf.setBackend("cpu"))
      const params = yield* scopedParams(() => initParams(config, labels.tags.length, 3))
      const optimizer = yield* makeAdamW(params)
      const batch: Batch = makeBatch(examples, [3, 4, 5], "paired", 0, { epoch: 0, batch: 0 })
      const before = tf.memory().numTensors
      for (let step = 0; step < 3; step++) {
        const result = trainStep({ params, config, optimizer }, settings, batch, step, 1e-3)
        expect(Either.isRight(result)).toBe(true)
        expect(tf.memory().numTensors).toBe(before)
      }
    })
  )
})
