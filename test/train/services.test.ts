/**
 * The training stage's seams: `Batcher`, `LossTerms` and `CheckpointSelector` swapped with
 * `Layer.succeed`, each changing the stage as expected and nothing else, and a custom loss term
 * training like the built-in term it re-implements. A 6-step stage on synthetic pairs, evaluated
 * at steps 2, 4 and 6 by a scripted dev F1 of 50, 70, 60.
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Layer, Option, Stream } from "effect"
import { LossTerms } from "../../src/losses/LossTerms.js"
import { labelContrastiveLoss } from "../../src/losses/lcl.js"
import { tokenTerm } from "../../src/losses/lossTerm.js"
import { Objective, evaluateObjective, paperObjectives, weighTerm } from "../../src/losses/objective.js"
import { decodeBertConfig } from "../../src/model/config.js"
import { initParams, scopedParams } from "../../src/model/params.js"
import { tf } from "../../src/runtime/tf.js"
import { Batcher, START, seededBatcher } from "../../src/train/Batcher.js"
import { CheckpointSelector } from "../../src/train/CheckpointSelector.js"
import { makeAdamW } from "../../src/train/adamw.js"
import { epochBatches, makeBatch } from "../../src/train/batches.js"
import { trainingDefaults } from "../../src/train/defaults.js"
import { type StageSettings, type TrainEvent, trainStage } from "../../src/train/loop.js"
import { constantSchedule } from "../../src/train/schedule.js"
import type { StepResult } from "../../src/train/step.js"
import { snapshotWeights } from "../../src/train/weights.js"
import { syntheticExamples as examples, syntheticLabels as labels } from "../support/synthetic.js"
import { tinyConfig } from "../support/tinyModel.js"

const config = Either.getOrThrow(decodeBertConfig(tinyConfig(40), "tiny/config.json"))

const stage = (objective: Objective = paperObjectives["concner-no-kd"]): StageSettings => ({
  run: "services-test",
  seed: 1,
  objective,
  stage: "teacher",
  rows: "paired",
  batchSize: 2,
  epochs: 2,
  evalEvery: 2,
  schedule: constantSchedule(1e-3),
  maxGradNorm: 1,
  tagTypes: labels.tagTypes,
  padId: 0
})

/** One stage on the services in context: its events, the kept checkpoint, the restored weights. */
const runStage = (settings: StageSettings = stage()) =>
  Effect.gen(function* () {
    yield* Effect.promise(() => tf.setBackend("cpu"))
    const params = yield* scopedParams(() => initParams(config, labels.tags.length, 3))
    const optimizer = yield* makeAdamW(params)
    const selection = yield* (yield* CheckpointSelector).open()
    const f1s = [50, 70, 60]
    const evaluate = () => Effect.sync(() => f1s.shift()!)
    const events = Chunk.toArray(
      yield* Stream.runCollect(
        trainStage({ params, config, optimizer }, settings, examples, evaluate, selection, START)
      )
    )
    const kept = yield* selection.kept
    yield* selection.restore(params)
    return { events, kept, weights: snapshotWeights(params) }
  }).pipe(Effect.scoped)

const steps = (events: ReadonlyArray<TrainEvent>): Array<StepResult> =>
  events.flatMap((e) => (e._tag === "Step" ? [e.result] : []))
const evals = (events: ReadonlyArray<TrainEvent>) =>
  events.flatMap((e) => (e._tag === "Eval" ? [[e.step, e.improved, e.best.step] as const] : []))

describe("the training stage's services", () => {
  it.effect("default Layers: evaluations at 2, 4, 6; the best dev F1 (step 4) is kept and restored", () =>
    Effect.gen(function* () {
      const run = yield* runStage()
      expect(steps(run.events)).toHaveLength(6)
      expect(evals(run.events)).toEqual([
        [2, true, 2],
        [4, true, 4],
        [6, false, 4]
      ])
      expect(Option.getOrNull(run.kept)).toEqual({ step: 4, f1: 70 })
    }).pipe(Effect.provide(trainingDefaults))
  )

  it.effect("CheckpointSelector.last keeps step 6; the steps are the default's, bit for bit", () =>
    Effect.gen(function* () {
      const reference = yield* runStage().pipe(Effect.provide(trainingDefaults))
      const last = yield* runStage().pipe(
        Effect.provide(Layer.merge(trainingDefaults, CheckpointSelector.last))
      )
      expect(evals(last.events)).toEqual([
        [2, true, 2],
        [4, true, 4],
        [6, true, 6]
      ])
      expect(steps(last.events)).toEqual(steps(reference.events))
      // the restored weights differ: step 6's, not step 4's
      expect(last.weights["classifier.weight"]).not.toEqual(reference.weights["classifier.weight"])
    })
  )

  it.effect(
    "a Batcher that repeats each epoch's first batch trains on it six times, and on nothing else",
    () =>
      Effect.gen(function* () {
        const reference = yield* runStage().pipe(Effect.provide(trainingDefaults))
        const firstOnly = Layer.succeed(Batcher, {
          perEpoch: seededBatcher.perEpoch,
          batches: (all, order, from) =>
            Stream.map(seededBatcher.batches(all, order, from), (positioned) => ({
              ...positioned,
              batch: makeBatch(
                all,
                epochBatches(all.length, order.batchSize, order.seed, 0)[0]!,
                order.rows,
                order.padId,
                positioned.position
              )
            }))
        })
        const repeated = yield* runStage().pipe(Effect.provide(Layer.merge(trainingDefaults, firstOnly)))
        const tokens = steps(repeated.events).map((s) => s.tokens)
        expect(tokens).toEqual(Array(6).fill(steps(reference.events)[0]!.tokens))
        expect(steps(reference.events).map((s) => s.tokens)).not.toEqual(tokens)
        // the same first step, then other data: other losses
        expect(steps(repeated.events)[0]).toEqual(steps(reference.events)[0])
        expect(steps(repeated.events)[1]!.loss).not.toBe(steps(reference.events)[1]!.loss)
      })
  )

  it.effect("a LossTerms that halves the loss logs half the default's first loss, the same terms", () =>
    Effect.gen(function* () {
      const reference = yield* runStage().pipe(Effect.provide(trainingDefaults))
      const halved = Layer.succeed(LossTerms, {
        registered: new Map(),
        evaluate: (objective, inputs, s) => {
          const value = evaluateObjective(objective, inputs, s)
          const total = tf.mul(value.total, 0.5)
          value.total.dispose()
          return { total: total as tf.Scalar, terms: value.terms }
        }
      })
      const run = yield* runStage().pipe(Effect.provide(Layer.merge(trainingDefaults, halved)))
      const [first, reference0] = [steps(run.events)[0]!, steps(reference.events)[0]!]
      expect(first.loss).toBe(reference0.loss / 2)
      expect(first.terms).toEqual(reference0.terms)
    })
  )

  it.effect("a custom term re-implementing LCL is logged by name with LCL's value", () =>
    Effect.gen(function* () {
      const again = tokenTerm(
        { name: "lcl-again", version: "1", temperature: 0.1, needs: { source: true, translations: true } },
        (h, y, temperature) => labelContrastiveLoss(h, y, { temperature })
      )
      const builtIn = paperObjectives["concner-no-kd"]
      const custom = new Objective({
        name: "concner-no-kd-custom-lcl",
        weights: { ...builtIn.weights, lcl: 0 },
        customTerms: [weighTerm(again, builtIn.weights.lcl)]
      })
      const reference = yield* runStage().pipe(Effect.provide(trainingDefaults))
      const run = yield* runStage(stage(custom)).pipe(
        Effect.provide(Layer.merge(trainingDefaults, LossTerms.layer([again])))
      )
      const [first, reference0] = [steps(run.events)[0]!, steps(reference.events)[0]!]
      expect(first.terms["lcl-again"]).toBe(reference0.terms.lcl)
      expect(Object.keys(first.terms).sort()).toEqual(["ceSource", "ceTranslation", "lcl-again", "tcl"])
      expect(first.loss).toBeCloseTo(reference0.loss, 6)
    })
  )

  it.scoped("the kept weights are tensors held until the selection's scope closes", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => tf.setBackend("cpu"))
      const params = yield* scopedParams(() => initParams(config, labels.tags.length, 3))
      const count = Object.keys(params).length
      const start = tf.memory().numTensors
      yield* Effect.scoped(
        Effect.gen(function* () {
          const selection = yield* (yield* CheckpointSelector).open()
          yield* selection.consider({ step: 2, f1: 50 }, params)
          expect(tf.memory().numTensors).toBe(start + count)
          // a better checkpoint replaces the kept weights; a worse one leaves them
          expect(yield* selection.consider({ step: 4, f1: 70 }, params)).toBe(true)
          expect(yield* selection.consider({ step: 6, f1: 60 }, params)).toBe(false)
          expect(tf.memory().numTensors).toBe(start + count)
        })
      )
      expect(tf.memory().numTensors).toBe(start)
    }).pipe(Effect.provide(trainingDefaults))
  )

  it.effect("the whole stage leaves numTensors where it found it", () =>
    Effect.gen(function* () {
      yield* Effect.promise(() => tf.setBackend("cpu"))
      const start = tf.memory().numTensors
      yield* runStage()
      expect(tf.memory().numTensors).toBe(start)
    }).pipe(Effect.provide(trainingDefaults))
  )
})
