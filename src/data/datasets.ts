/** The datasets concner knows, and where each lives under the data root (see ../shared/data/README.md). */
import { Either } from "effect"
import { UnknownDatasetError } from "./errors.js"

export type CorpusName = "conll" | "wikiann"
export type Split = "train" | "dev" | "test"
export type TranslationSystem = "deepl-awesome" | "mulda"

export const splits: ReadonlyArray<Split> = ["train", "dev", "test"]
export const conllLangs: ReadonlyArray<string> = ["en", "de", "es", "nl"]
/** XTREME's 40 PAN-X languages minus es, fi, hu, it, ko, pt, ru, th (no labeled test set found). */
// biome-ignore format: a table
export const wikiannLangs: ReadonlyArray<string> = [
  "en", "ar", "hi", "zh", "bn", "fa", "id", "ml", "af", "bg", "de", "el", "et", "eu", "fr", "he",
  "ja", "jv", "ka", "kk", "mr", "ms", "my", "nl", "sw", "ta", "te", "tl", "tr", "ur", "vi", "yo"
]
export const translationSystems: ReadonlyArray<TranslationSystem> = ["deepl-awesome", "mulda"]
export const translationLangs: ReadonlyArray<string> = ["de", "es", "nl"]

export interface CorpusId {
  readonly corpus: CorpusName
  readonly lang: string
  readonly split: Split
}

export interface TranslationId {
  readonly system: TranslationSystem
  readonly lang: string
}

export const corpusName = (id: CorpusId) => `${id.corpus}/${id.lang}/${id.split}`
export const translationName = (id: TranslationId) => `translations/${id.system}/${id.lang}`

/** Every corpus id concner knows, in table order. */
export const knownCorpora: ReadonlyArray<CorpusId> = [
  ...conllLangs.flatMap((lang) => splits.map((split) => ({ corpus: "conll" as const, lang, split }))),
  ...wikiannLangs.flatMap((lang) => splits.map((split) => ({ corpus: "wikiann" as const, lang, split })))
]

export const knownTranslations: ReadonlyArray<TranslationId> = translationSystems.flatMap((system) =>
  translationLangs.map((lang) => ({ system, lang }))
)

export const checkCorpusId = (id: CorpusId): Either.Either<CorpusId, UnknownDatasetError> => {
  const langs = id.corpus === "conll" ? conllLangs : id.corpus === "wikiann" ? wikiannLangs : undefined
  if (langs === undefined)
    return Either.left(
      new UnknownDatasetError({ dataset: corpusName(id), reason: "unknown corpus (conll, wikiann)" })
    )
  if (!langs.includes(id.lang)) {
    return Either.left(
      new UnknownDatasetError({ dataset: corpusName(id), reason: `unknown language (${langs.join(", ")})` })
    )
  }
  if (!splits.includes(id.split)) {
    return Either.left(
      new UnknownDatasetError({ dataset: corpusName(id), reason: "unknown split (train, dev, test)" })
    )
  }
  return Either.right(id)
}

export const checkTranslationId = (id: TranslationId): Either.Either<TranslationId, UnknownDatasetError> =>
  !translationSystems.includes(id.system)
    ? Either.left(
        new UnknownDatasetError({
          dataset: translationName(id),
          reason: "unknown system (deepl-awesome, mulda)"
        })
      )
    : !translationLangs.includes(id.lang)
      ? Either.left(
          new UnknownDatasetError({ dataset: translationName(id), reason: "unknown language (de, es, nl)" })
        )
      : Either.right(id)

/** Paths relative to the data root. */
export const corpusPaths = (id: CorpusId) => ({
  text: `${id.corpus}/${id.lang}/${id.split}.txt`,
  docIds: `${id.corpus}/${id.lang}/${id.split}.doc_ids`
})

export const translationPaths = (id: TranslationId) => {
  const dir = `translations/conll2003-en-train/${id.system}/${id.lang}`
  return { text: `${dir}/train.txt`, srcIdx: `${dir}/train.src_idx`, docIds: `${dir}/train.doc_ids` }
}
