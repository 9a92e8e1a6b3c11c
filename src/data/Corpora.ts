/**
 * The `Corpora` service: the corpora under the data root (CoNLL en/de/es/nl, 32 WikiAnn languages,
 * labeled translations of CoNLL English train), decoded once per service instance (one per
 * process in the CLI), with document ids from `*.doc_ids`, seeded samples and translation pairs.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { Config, Context, Effect, Either, Layer } from "effect"
import { type ConllReport, type Sentence, decodeConll } from "./conll.js"
import {
  type CorpusId,
  type TranslationId,
  checkCorpusId,
  checkTranslationId,
  corpusName,
  corpusPaths,
  knownCorpora,
  knownTranslations,
  translationName,
  translationPaths
} from "./datasets.js"
import {
  type ConllError,
  DataReadError,
  DataRootMissing,
  IndexFileError,
  SampleSizeError,
  UnknownDatasetError,
  type Utf8Error
} from "./errors.js"
import { decodeIndexFile } from "./indexFile.js"
import { type MismatchPolicy, type PairedTranslations, pairTranslations } from "./pairing.js"
import { sampleIndices } from "./sampling.js"
import { readTextFile } from "./utf8.js"

/** The data root: an absolute directory. */
export class DataRoot extends Context.Tag("concner/DataRoot")<DataRoot, string>() {
  /** `CONCNER_DATA`, else `../shared/data`, resolved against the working directory. */
  static readonly fromEnv = Layer.effect(
    DataRoot,
    Effect.map(Config.string("CONCNER_DATA").pipe(Config.withDefault("../shared/data")), (dir) =>
      path.resolve(dir)
    )
  )
  static readonly at = (dir: string) => Layer.sync(DataRoot, () => path.resolve(dir))
}

export interface Corpus {
  readonly id: CorpusId
  readonly file: string
  /** IOB2 sentences; `doc` set from `-DOCSTART-` lines or `*.doc_ids` where either exists. */
  readonly sentences: ReadonlyArray<Sentence>
  readonly documents?: number
  readonly report: ConllReport
}

export interface TranslationSet extends PairedTranslations {
  readonly id: TranslationId
  /** Every target sentence, aligned or not (IOB2; `doc` from `train.doc_ids` where present). */
  readonly sentences: ReadonlyArray<Sentence>
  /** Documents, where `train.doc_ids` gives them. */
  readonly documents?: number
}

export interface SampledSentence {
  readonly index: number
  readonly sentence: Sentence
}

export type LoadError =
  | UnknownDatasetError
  | DataReadError
  | DataRootMissing
  | Utf8Error
  | ConllError
  | IndexFileError

const englishTrain: CorpusId = { corpus: "conll", lang: "en", split: "train" }

export class Corpora extends Effect.Service<Corpora>()("concner/Corpora", {
  effect: Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const root = yield* DataRoot
    const at = (relative: string) => path.join(root, relative)

    const exists = (file: string) =>
      fs.exists(file).pipe(Effect.mapError((e) => new DataReadError({ file, reason: e.message })))
    const read = (file: string) => Effect.provideService(readTextFile(file), FileSystem.FileSystem, fs)

    /** Reads a text file and its optional `doc_ids`, giving every sentence its document. */
    const decodeWithDocs = Effect.fn("Corpora.decode")(function* (file: string, docIdsFile: string) {
      // The data root's format is IOB2 by its README: declared, not detected (a small file whose
      // chunks all start with I- would otherwise read as IOB1 and be converted).
      const decoded = yield* decodeConll(yield* read(file), file, { scheme: "IOB2" })
      if (!(yield* exists(docIdsFile))) return decoded
      const { sentences } = decoded
      const docs = yield* decodeIndexFile(yield* read(docIdsFile), docIdsFile, sentences.length, 0)
      const mismatch = sentences.findIndex((s, i) => s.doc !== undefined && s.doc !== docs[i])
      if (mismatch !== -1) {
        return yield* new IndexFileError({
          file: docIdsFile,
          line: mismatch + 1,
          text: `${docs[mismatch]}`,
          reason: `document ${sentences[mismatch]!.doc} by the -DOCSTART- lines of ${file}`
        })
      }
      return {
        ...decoded,
        sentences: sentences.map((s, i) => ({ ...s, doc: docs[i]! })),
        documents: docs.reduce((max, d) => Math.max(max, d + 1), 0)
      }
    })

    const loadByName = yield* Effect.cachedFunction((name: string) => {
      const id = knownCorpora.find((c) => corpusName(c) === name)!
      const paths = corpusPaths(id)
      return Effect.map(
        decodeWithDocs(at(paths.text), at(paths.docIds)),
        (decoded): Corpus => ({
          id,
          file: at(paths.text),
          ...decoded
        })
      )
    })

    // An absent root is a mistake (a wrong --data or CONCNER_DATA), not an empty listing.
    const checkRoot = Effect.flatMap(exists(root), (found) =>
      found ? Effect.void : new DataRootMissing({ root })
    )

    /** A language concner does not know, or one the root lacks: the languages the root has instead. */
    const missingLanguage = Effect.fn("Corpora.missingLanguage")(function* (id: CorpusId) {
      yield* checkRoot
      const present = (yield* list()).filter((c) => c.corpus === id.corpus && c.split === id.split)
      const langs = present.map((c) => c.lang).join(", ")
      return yield* new UnknownDatasetError({
        dataset: corpusName(id),
        reason: `no such data in ${root} (${id.corpus} ${id.split} languages there: ${langs === "" ? "none" : langs})`
      })
    })

    /** Decodes a corpus (once; later calls return the same value). */
    const load = Effect.fn("Corpora.load")(function* (id: CorpusId) {
      const checked = checkCorpusId(id)
      // every corpus has English: a failure for `en` is an unknown corpus or split, not a language
      const languageOnly = Either.isRight(checkCorpusId({ ...id, lang: "en" }))
      const missing = Either.isRight(checked) ? !(yield* exists(at(corpusPaths(id).text))) : languageOnly
      if (missing) return yield* missingLanguage(id)
      return yield* loadByName(corpusName(yield* checked))
    })

    /** The known corpora whose text file is present under the root. */
    const list = Effect.fn("Corpora.list")(function* () {
      yield* checkRoot
      return yield* Effect.filter(knownCorpora, (id) => exists(at(corpusPaths(id).text)))
    })

    /** k sentences drawn without replacement by `sampleIndices` (same seed, same sample everywhere). */
    const sample = Effect.fn("Corpora.sample")(function* (id: CorpusId, k: number, seed: number | string) {
      const { sentences } = yield* load(id)
      if (!(Number.isInteger(k) && k >= 0 && k <= sentences.length)) {
        return yield* new SampleSizeError({ dataset: corpusName(id), k, available: sentences.length })
      }
      return sampleIndices(sentences.length, k, seed).map(
        (index): SampledSentence => ({ index, sentence: sentences[index]! })
      )
    })

    const translationByName = yield* Effect.cachedFunction((name: string) => {
      const id = knownTranslations.find((t) => translationName(t) === name)!
      const paths = translationPaths(id)
      return Effect.gen(function* () {
        const decoded = yield* decodeWithDocs(at(paths.text), at(paths.docIds))
        const srcIdx = yield* decodeIndexFile(
          yield* read(at(paths.srcIdx)),
          at(paths.srcIdx),
          decoded.sentences.length,
          -1
        )
        return { id, decoded, srcIdx }
      })
    })

    /** A translation set paired with English train, mismatching pairs dropped or kept per `policy`. */
    const translations = Effect.fn("Corpora.translations")(function* (
      id: TranslationId,
      policy: MismatchPolicy
    ) {
      const { decoded, srcIdx } = yield* translationByName(translationName(yield* checkTranslationId(id)))
      const english = yield* load(englishTrain)
      const paths = translationPaths(id)
      const paired = yield* pairTranslations(
        {
          english: english.sentences,
          target: decoded.sentences,
          invalidTransitions: decoded.report.invalidTransitions,
          srcIdx,
          targetFile: at(paths.text),
          srcIdxFile: at(paths.srcIdx)
        },
        policy
      )
      const documents = decoded.documents === undefined ? {} : { documents: decoded.documents }
      return { id, sentences: decoded.sentences, ...documents, ...paired } satisfies TranslationSet
    })

    /** The known translation sets whose text file is present under the root. */
    const listTranslations = Effect.fn("Corpora.listTranslations")(function* () {
      yield* checkRoot
      return yield* Effect.filter(knownTranslations, (id) => exists(at(translationPaths(id).text)))
    })

    return { root, load, list, sample, translations, listTranslations } as const
  }),
  dependencies: [NodeFileSystem.layer, DataRoot.fromEnv]
}) {
  /** Corpora at `dir`, or at `CONCNER_DATA`/`../shared/data` when `dir` is undefined. */
  static readonly at = (dir: string | undefined) =>
    dir === undefined
      ? Corpora.Default
      : Corpora.DefaultWithoutDependencies.pipe(Layer.provide([NodeFileSystem.layer, DataRoot.at(dir)]))
}
