import { Schema } from "effect"
import { TranslationSource } from "./translations.js"

export const DevScore = Schema.Struct({ f1: Schema.Number, step: Schema.Int })
export const TestScore = Schema.Struct({
  f1: Schema.Number,
  precision: Schema.Number,
  recall: Schema.Number,
  byType: Schema.Record({ key: Schema.String, value: Schema.Number })
})

/** A stage's outcome: the dev-selected checkpoint and its test scores. */
export const StageResult = Schema.Struct({
  dev: DevScore,
  test: TestScore,
  steps: Schema.Int,
  /** Test words beyond the model's positions, scored as O (see predict). */
  unpredictedTestWords: Schema.Int
})
export type StageResult = typeof StageResult.Type

/** `result.json` of a run: the teacher's fields at the top level, the student's under `student`. */
export class RunResult extends Schema.Class<RunResult>("RunResult")({
  method: Schema.String,
  lang: Schema.String,
  corpus: Schema.String,
  sourceSize: Schema.Int,
  seed: Schema.Int,
  protocol: Schema.String,
  model: Schema.String,
  dev: DevScore,
  test: TestScore,
  steps: Schema.Int,
  student: Schema.optional(StageResult),
  /** D_TGT's source, where the method trained on translations (absent in runs made before engines). */
  translations: Schema.optional(TranslationSource),
  /** Target test sentences scored (all of the test set unless the protocol limits it). */
  testSentences: Schema.Int,
  /** Sampled sentences a paired method trained without (no usable translation). */
  missingTranslations: Schema.Int,
  unpredictedTestWords: Schema.Int,
  /** Wall seconds of all sittings of the run (each interrupted one up to its last saved state). */
  seconds: Schema.Number
}) {}
