/**
 * Where a run's labeled translations (D_TGT) come from: a published set (`mulda`,
 * `deepl-awesome`: CoNLL de/es/nl only) or an engine of `src/translate/` run over the sampled
 * English sentences (`{engine: "dictionary"}` word by word with MUSE, `{engine: "apertium"}`,
 * `{engine: "command", command}`). Published sources stay plain strings, so specs written before
 * engines existed keep their hash. Also: the CLI syntax, a path-safe label, which targets a source
 * can serve, and how a source deviates from the paper's data.
 */
import { createHash } from "node:crypto"
import { Data, Either, Schema } from "effect"
import { translationLangs } from "../data/datasets.js"

export const PublishedTranslations = Schema.Literal("mulda", "deepl-awesome")

// Unknown keys are errors: `{engine: "dictionary", file: …}` must not silently use the default file.
const strict = { parseOptions: { onExcessProperty: "error" } } as const

/** A shell command, run with `sh -c` as written. */
const Command = Schema.String.pipe(
  Schema.filter((c) => c.trim() !== "", { message: () => "a shell command, not blank" })
)

export const TranslationEngine = Schema.Union(
  Schema.Struct({ engine: Schema.Literal("dictionary") }).annotations(strict),
  Schema.Struct({ engine: Schema.Literal("apertium") }).annotations(strict),
  Schema.Struct({ engine: Schema.Literal("command"), command: Command }).annotations(strict)
)
export type TranslationEngine = typeof TranslationEngine.Type

export const TranslationSource = Schema.Union(PublishedTranslations, TranslationEngine)
export type TranslationSource = typeof TranslationSource.Type

/** The `--translations` syntax, as error messages and help texts state it. */
export const TRANSLATIONS_SYNTAX =
  "mulda | deepl-awesome | engine:dictionary | engine:apertium | engine:command=CMD"

/** A `--translations` value that is none of `TRANSLATIONS_SYNTAX`. */
export class TranslationSourceInvalid extends Data.TaggedError("TranslationSourceInvalid")<{
  readonly text: string
}> {
  override get message() {
    return `--translations ${JSON.stringify(this.text)}: expected ${TRANSLATIONS_SYNTAX}`
  }
}

/** Parses the CLI form (`TRANSLATIONS_SYNTAX`); `engine:command=CMD` keeps CMD as written. */
export const parseTranslationSource = (
  text: string
): Either.Either<TranslationSource, TranslationSourceInvalid> => {
  if (text === "mulda" || text === "deepl-awesome") return Either.right(text)
  if (text === "engine:dictionary") return Either.right({ engine: "dictionary" })
  if (text === "engine:apertium") return Either.right({ engine: "apertium" })
  const command = /^engine:command=(.*)$/s.exec(text)?.[1]
  if (command !== undefined && command.trim() !== "") return Either.right({ engine: "command", command })
  return Either.left(new TranslationSourceInvalid({ text }))
}

/** The CLI form of a source (`parseTranslationSource` inverts it). */
export const formatTranslationSource = (source: TranslationSource): string =>
  typeof source === "string"
    ? source
    : source.engine === "command"
      ? `engine:command=${source.command}`
      : `engine:${source.engine}`

/** A short, path-safe name: the source's, the engine's, or `command-<8 hex of sha256(command)>`. */
export const translationLabel = (source: TranslationSource): string =>
  typeof source === "string"
    ? source
    : source.engine === "command"
      ? `command-${createHash("sha256").update(source.command).digest("hex").slice(0, 8)}`
      : source.engine

/**
 * Languages with a MUSE dictionary under `dictionaries/muse/en-<lang>.txt` (../shared/data/README.md:
 * MUSE has none for eu, jv, ka, kk, ml, mr, my, sw, te, ur, yo).
 */
// biome-ignore format: a table
export const museLangs: ReadonlyArray<string> = [
  "af", "ar", "bg", "bn", "de", "el", "es", "et", "fa", "fr", "he", "hi", "id", "ja", "ms", "nl",
  "ta", "tl", "tr", "vi", "zh"
]

/** The MUSE dictionary of `lang`, relative to the data root. */
export const museDictionaryPath = (lang: string) => `dictionaries/muse/en-${lang}.txt`

/**
 * Why `source` cannot give translations into a target, if it cannot. Published sets exist for CoNLL
 * de/es/nl; the dictionary engine needs a MUSE dictionary. Apertium and command engines are checked
 * when they start (which pairs are installed is only known then).
 */
export const translationsUnavailable = (
  source: TranslationSource,
  target: { readonly corpus: string; readonly lang: string }
): string | undefined => {
  if (typeof source === "string")
    return target.corpus === "conll" && translationLangs.includes(target.lang)
      ? undefined
      : `no published ${source} set for ${target.corpus} ${target.lang} (published sets: CoNLL ${translationLangs.join(", ")}; try engine:dictionary)`
  if (source.engine === "dictionary" && !museLangs.includes(target.lang))
    return `no MUSE dictionary en-${target.lang} (MUSE has ${museLangs.join(", ")})`
  return undefined
}

const paperData = "the paper used Google MT with MulDA's labeled-sequence translation"

/** What a run's translations are, for `translationDeviations`: `undefined` when it uses none. */
export interface TranslationUse {
  readonly corpus: string
  readonly lang: string
  readonly translations: TranslationSource | undefined
}

/**
 * How a cell's D_TGT differs from the paper's (one reason per difference; none for MulDA's
 * published sets or a method without translations). Computable from a recorded spec (the report's
 * `specDeviations`) or from a `result.json`, which records the source a run trained on.
 */
export const translationDeviations = (use: TranslationUse): Array<string> => {
  const source = use.translations
  if (source === undefined || source === "mulda") return []
  if (source === "deepl-awesome")
    return [`D_TGT is DeepL MT with awesome-align label projection; ${paperData}`]
  switch (source.engine) {
    case "dictionary":
      return [
        `D_TGT is a word-by-word MUSE dictionary translation into ${use.lang} (an approximation, not MT: English word order kept); ${paperData}`
      ]
    case "apertium":
      return [`D_TGT is Apertium rule-based MT with entity placeholders; ${paperData}`]
    case "command":
      return [`D_TGT is from the command \`${source.command}\`; ${paperData}`]
  }
}
