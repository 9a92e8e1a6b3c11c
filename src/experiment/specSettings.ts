/**
 * An `ExperimentSpec` from the settings a person gives (the flags of `concner train`, or any other
 * front end): the run's coordinates, a protocol by name with some of its fields changed, the
 * encoder and the translation source. Unset settings take their defaults (corpus `conll`, seed 1,
 * protocol `cpu` with the shipped encoder, translations `mulda`); `--spec`'s recorded spec takes
 * none of them.
 */
import { Data, Effect, Schema } from "effect"
import { schemaIssues } from "../data/schemaIssues.js"
import type { PaperVariant } from "../losses/objective.js"
import { shippedEncoder } from "../model/shipped.js"
import { specModelPath } from "../records/modelPath.js"
import { readSpecFile } from "./run.js"
import { ExperimentSpec, type Protocol, type ProtocolName, protocols } from "./spec.js"
import { parseTranslationSource } from "./translations.js"

/** The protocol fields a setting may change (all but its name). */
export type ProtocolOverrides = Partial<Omit<Protocol, "name">>

export interface SpecSettings {
  readonly method?: PaperVariant
  readonly lang?: string
  readonly corpus?: ExperimentSpec["corpus"]
  readonly sourceSize?: number
  readonly seed?: number
  /** An encoder folder; default: the shipped encoder under the `cpu` protocol. */
  readonly model?: string
  readonly protocol?: typeof ProtocolName.Type
  readonly overrides?: ProtocolOverrides
  /** A translation source in the command line's syntax (`TRANSLATIONS_SYNTAX`). */
  readonly translations?: string
}

/** Settings that cannot go together, or one missing (named as the flags that give them). */
export class SpecSettingsInvalid extends Data.TaggedError("SpecSettingsInvalid")<{
  readonly reason: string
}> {
  override get message() {
    return this.reason
  }
}

/** The flag that gives a setting (`sourceSize` → `--source-size`): errors name settings as flags. */
const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`

/** The spec `settings` describe. */
export const specFromSettings = (settings: SpecSettings) =>
  Effect.gen(function* () {
    const { method, lang, sourceSize } = settings
    if (method === undefined || lang === undefined || sourceSize === undefined) {
      const missing = Object.entries({ method, lang, sourceSize }).filter(([, v]) => v === undefined)
      return yield* new SpecSettingsInvalid({
        reason: `missing ${missing.map(([k]) => flagName(k)).join(", ")} (or give ${flagName("spec")} FILE)`
      })
    }
    const protocolName = settings.protocol ?? "cpu"
    const model =
      settings.model ??
      (protocolName === "cpu"
        ? yield* shippedEncoder()
        : yield* new SpecSettingsInvalid({
            reason: `the ${protocolName} protocol needs ${flagName("model")} (${protocolName === "xlmr" ? "an XLM-R folder" : "the paper's mBERT folder"})`
          }))
    return yield* Schema.decodeUnknown(ExperimentSpec)({
      method,
      lang,
      corpus: settings.corpus ?? "conll",
      sourceSize,
      seed: settings.seed ?? 1,
      model: yield* specModelPath(model),
      translations: yield* parseTranslationSource(settings.translations ?? "mulda"),
      mismatches: "keep",
      protocol: { ...protocols[protocolName], ...settings.overrides }
    }).pipe(
      Effect.mapError(
        (e) =>
          new SpecSettingsInvalid({
            reason: schemaIssues(e, (path) => flagName(String(path.at(-1)))).join("; ")
          })
      )
    )
  })

/** A recorded spec (`spec.json`, hash checked), refusing any setting that would change it. */
const rerunSpec = (file: string, settings: SpecSettings) =>
  Effect.gen(function* () {
    const { overrides, ...rest } = settings
    const given = [
      ...Object.entries(rest).filter(([, v]) => v !== undefined),
      ...Object.entries(overrides ?? {}).filter(([, v]) => v !== undefined)
    ].map(([k]) => flagName(k))
    if (given.length > 0)
      return yield* new SpecSettingsInvalid({
        reason: `${flagName("spec")} gives every setting of the run; drop ${given.join(", ")}`
      })
    return yield* readSpecFile(file)
  })

/** The run's spec: the one `specFile` records when given (with no other setting), else the settings'. */
export const specOf = (settings: SpecSettings, specFile: string | undefined) =>
  Effect.gen(function* () {
    return specFile === undefined ? yield* specFromSettings(settings) : yield* rerunSpec(specFile, settings)
  })
