/**
 * `concner pretrain --config FILE`: the architecture (a BERT `config.json` object, `vocab_size`
 * taken from the vocabulary) and the run's settings, decoded once. Unknown keys are fatal.
 */
import { FileSystem } from "@effect/platform"
import { Effect, Either, ParseResult, Schema } from "effect"
import { type BertConfig, decodeBertConfig } from "../model/config.js"
import { PretrainConfigError } from "./errors.js"

const PositiveInt = Schema.Int.pipe(Schema.positive())
const NonNegativeInt = Schema.Int.pipe(Schema.nonNegative())
const opt = <S extends Schema.Schema.Any>(schema: S, value: () => Schema.Schema.Type<S>) =>
  Schema.optionalWith(schema, { default: value })

/** Every corpus the pretraining may read (train and dev splits, never test), as dataset names. */
export const DEFAULT_SOURCES: ReadonlyArray<string> = [
  ...["en", "de", "es", "nl"].flatMap((l) => [`conll/${l}/train`, `conll/${l}/dev`]),
  // biome-ignore format: a table
  ...["en", "ar", "hi", "zh", "bn", "fa", "id", "ml", "af", "bg", "de", "el", "et", "eu", "fr", "he",
    "ja", "jv", "ka", "kk", "mr", "ms", "my", "nl", "sw", "ta", "te", "tl", "tr", "ur", "vi", "yo"
  ].flatMap((l) => [`wikiann/${l}/train`, `wikiann/${l}/dev`]),
  ...["mulda", "deepl-awesome"].flatMap((s) => ["de", "es", "nl"].map((l) => `translations/${s}/${l}`))
]

export class PretrainSettings extends Schema.Class<PretrainSettings>("PretrainSettings")({
  /** BERT `config.json` fields (snake_case); `vocab_size` may be left out (the vocabulary's size). */
  model: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  seed: opt(NonNegativeInt, () => 1),
  steps: opt(PositiveInt, () => 10_000),
  batchSize: opt(PositiveInt, () => 32),
  maxLength: opt(Schema.Int.pipe(Schema.greaterThanOrEqualTo(8)), () => 128),
  lr: opt(Schema.Number.pipe(Schema.positive()), () => 5e-4),
  warmupSteps: opt(NonNegativeInt, () => 500),
  /**
   * `linear` decays to 0 at the last step (so the step count is fixed when the run starts);
   * `inverse-sqrt` does not depend on it, so a finished run can be continued with a larger `--steps`.
   */
  schedule: opt(Schema.Literal("linear", "inverse-sqrt"), () => "linear" as const),
  weightDecay: opt(Schema.Number.pipe(Schema.nonNegative()), () => 0.01),
  maxGradNorm: opt(Schema.Number.pipe(Schema.positive()), () => 1),
  maskProbability: opt(Schema.Number.pipe(Schema.between(0, 1, { exclusiveMinimum: true })), () => 0.15),
  wholeWordMasking: opt(Schema.Boolean, () => false),
  /** Pack several sentences of a language into one MLM row of up to `maxLength` subwords. */
  packing: opt(Schema.Boolean, () => false),
  /** Code-switched copies of the English training sentences (MUSE dictionaries; see codeSwitch.ts). */
  codeSwitch: Schema.optional(
    Schema.Struct({
      langs: Schema.NonEmptyArray(Schema.String),
      ratio: Schema.Number.pipe(Schema.between(0, 1, { exclusiveMinimum: true }))
    })
  ),
  /** XLM's smoothing exponent over language (pair) groups. */
  alpha: opt(Schema.Number.pipe(Schema.between(0, 1, { exclusiveMinimum: true })), () => 0.7),
  /** Write the resumable state every K steps (and after the last). */
  stateEvery: opt(PositiveInt, () => 200),
  /** Dev sentences per language kept out of training, for masked-token accuracy. */
  heldOut: opt(NonNegativeInt, () => 200),
  /** Dataset names (`conll/en/train`, `wikiann/de/dev`, `translations/mulda/de`); test splits are refused. */
  sources: opt(Schema.Array(Schema.String), () => DEFAULT_SOURCES)
}) {}

/** The settings and the model's `BertConfig` (its `vocab_size` must agree with the vocabulary). */
export const decodePretrainConfig = (
  json: unknown,
  file: string,
  vocabSize: number
): Either.Either<{ readonly settings: PretrainSettings; readonly model: BertConfig }, PretrainConfigError> =>
  Either.gen(function* () {
    const settings = yield* Schema.decodeUnknownEither(PretrainSettings, { onExcessProperty: "error" })(
      json
    ).pipe(
      Either.mapLeft(
        (e) => new PretrainConfigError({ file, reason: ParseResult.TreeFormatter.formatErrorSync(e) })
      )
    )
    const given = settings.model.vocab_size
    if (given !== undefined && given !== vocabSize)
      return yield* Either.left(
        new PretrainConfigError({
          file,
          reason: `model.vocab_size ${given} but the vocabulary has ${vocabSize} tokens`
        })
      )
    const model = yield* decodeBertConfig({ ...settings.model, vocab_size: vocabSize }, file).pipe(
      Either.mapLeft((e) => new PretrainConfigError({ file, reason: `model: ${e.reason}` }))
    )
    return { settings, model }
  })

export const loadPretrainConfig = Effect.fn("Pretrain.loadConfig")(function* (
  file: string,
  vocabSize: number
) {
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs
    .readFileString(file)
    .pipe(Effect.mapError((e) => new PretrainConfigError({ file, reason: `cannot read: ${e.message}` })))
  const json = yield* Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: (e) =>
      new PretrainConfigError({ file, reason: `invalid JSON: ${e instanceof Error ? e.message : e}` })
  })
  return yield* decodePretrainConfig(json, file, vocabSize)
})
