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

/**
 * Runs side by side for people (what `train`, `resume` and `quickstart` print), within 80 columns:
 * dev-selected test F1 of each teacher and, for KD methods, of its student.
 */
export const formatResults = (results: ReadonlyArray<RunResult>): string => {
  const cell = (x: number | undefined, width: number) =>
    (x === undefined ? "-" : x.toFixed(2)).padStart(width)
  const rows = results.map(
    (r) =>
      `| ${r.method.padEnd(8)} | ${cell(r.test.f1, 10)} | ${cell(r.student?.test.f1, 10)} | ${cell(r.test.precision, 9)} | ${cell(r.test.recall, 9)} | ${cell(r.dev.f1, 14)} |`
  )
  const first = results[0]
  return [
    `Test F1 on ${first?.corpus === "wikiann" ? "WikiAnn" : "CoNLL"} ${first?.lang} (${first?.sourceSize} ${
      // the in-language ceiling trains on the target's own gold sentences
      results.every((r) => r.method === "tgt") ? `gold ${first?.lang}` : "English"
    } sentences, seed ${first?.seed}, model ${first?.model})`,
    // precision and recall are the teacher's, named so (a KD method's result is its student's F1)
    "| method   | teacher F1 | student F1 | teacher P | teacher R | teacher dev F1 |",
    "|----------|------------|------------|-----------|-----------|----------------|",
    ...rows
  ].join("\n")
}
