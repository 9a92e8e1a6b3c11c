/**
 * The data of one run, from its spec: the sampled English sentences (D_SRC) and their labeled
 * translations (D_TGT: a published set paired through `src_idx`, or the sample translated by an
 * engine, paired by source index), English dev for selection, the target test set, and the target
 * train text without labels (D_U) for distillation. An in-language method (`tgt`) samples and
 * selects on the target language's own train and dev splits instead of English. What could not be used is counted, never
 * dropped silently.
 */
import { Effect, Either } from "effect"
import { Corpora } from "../data/Corpora.js"
import type { Sentence } from "../data/conll.js"
import { type CorpusId, corpusPaths, translationPaths } from "../data/datasets.js"
import { type LabelSet, conllTypes, labelSet, wikiannTypes } from "../data/labels.js"
import { type PairingReport, pairsForSample } from "../data/pairing.js"
import { sampleIndices } from "../data/sampling.js"
import type { SubwordTokenizer } from "../text/Tokenizer.js"
import { encodeCorpus } from "../text/corpus.js"
import type { TruncationReport } from "../text/truncation.js"
import type { TrainExample } from "../train/examples.js"
import { type TranslationRecord, translateSample } from "./engineTranslations.js"
import { EncodingFailed, TranslationsUnavailable } from "./errors.js"
import type { ExperimentSpec } from "./spec.js"
import { formatTranslationSource, museDictionaryPath, translationsUnavailable } from "./translations.js"

export interface RunData {
  readonly labels: LabelSet
  /** Train indices of the sample (English, or the target's for an in-language method), in draw order. */
  readonly sample: ReadonlyArray<number>
  readonly teacherExamples: ReadonlyArray<TrainExample>
  /** Sampled sentences without a usable translation (paired methods train without them). */
  readonly missingTranslations: ReadonlyArray<number>
  readonly pairing?: Omit<PairingReport, "invalidTransitions" | "leakedPlaceholders"> & {
    readonly invalidTransitions: number
    readonly leakedPlaceholders: number
  }
  /** Engine sources: what the engine produced (written to the run's `translation.json`). */
  readonly translation?: TranslationRecord
  readonly truncation: { readonly source: TruncationReport; readonly translation?: TruncationReport }
  readonly dev: ReadonlyArray<Sentence>
  readonly test: ReadonlyArray<Sentence>
  /** D_U: target train sentences (their tags are never read). */
  readonly unlabeled: ReadonlyArray<Sentence>
}

/**
 * The language of a run's labeled sentences and its selection dev set: English, or the target's
 * own for an in-language method.
 */
export const labeledLanguage = (spec: ExperimentSpec): string =>
  spec.method.needs.inLanguage ? spec.lang : "en"

/** The data files a run reads, relative to the data root (their checksums go into the run record). */
export const runDataFiles = (spec: ExperimentSpec): Array<string> => {
  const text = (lang: string, split: CorpusId["split"]) =>
    corpusPaths({ corpus: spec.corpus, lang, split }).text
  const labeled = labeledLanguage(spec)
  const files = [
    text(labeled, "train"),
    text(labeled, "dev"),
    text(spec.lang, "test"),
    text(spec.lang, "train")
  ]
  if (!spec.method.needs.translations) return files
  const source = spec.translations
  if (typeof source !== "string")
    return source.engine === "dictionary" ? [...files, museDictionaryPath(spec.lang)] : files
  const paths = translationPaths({ system: source, lang: spec.lang })
  return [...files, paths.text, paths.srcIdx]
}

/**
 * The files of `runDataFiles` the teacher stage reads: all but the target's test set and its train
 * text (D_U), which only the scoring and the student read.
 */
export const teacherDataFiles = (spec: ExperimentSpec): Array<string> => {
  const [train, dev, _test, _unlabeled, ...rest] = runDataFiles(spec)
  return [train!, dev!, ...rest]
}

const encode = (
  tokenizer: SubwordTokenizer,
  sentences: ReadonlyArray<Sentence>,
  labels: LabelSet,
  maxLength: number,
  file: string
) =>
  Either.mapLeft(
    encodeCorpus(tokenizer, sentences, labels.ids, maxLength),
    (e) => new EncodingFailed({ file, reason: e.message })
  )

/** `k` sentences of `all` drawn with `seed`, in corpus order; all of them when `k` is absent or too large. */
const subset = <A>(all: ReadonlyArray<A>, k: number | undefined, seed: string): ReadonlyArray<A> =>
  k === undefined || k >= all.length
    ? all
    : sampleIndices(all.length, k, seed)
        .sort((a, b) => a - b)
        .map((i) => all[i]!)

/** D_U: the target-language train sentences a run's student distils on (their tags never used). */
export const distillationSet = <A>(targetTrain: ReadonlyArray<A>, spec: ExperimentSpec): ReadonlyArray<A> =>
  subset(targetTrain, spec.protocol.kdSentences, `${spec.seed}/unlabeled`)

/** The target-language test sentences a run is scored on (all of them unless the protocol caps them). */
export const testSet = <A>(targetTest: ReadonlyArray<A>, spec: ExperimentSpec): ReadonlyArray<A> =>
  subset(targetTest, spec.protocol.testSentences, `${spec.seed}/test`)

/** Fails when the method needs labeled translations its source cannot give for this corpus and language. */
export const checkTranslationsAvailable = (
  spec: ExperimentSpec
): Effect.Effect<void, TranslationsUnavailable> => {
  const reason = spec.method.needs.translations ? translationsUnavailable(spec.translations, spec) : undefined
  return reason === undefined
    ? Effect.void
    : Effect.fail(
        new TranslationsUnavailable({
          method: spec.method.name,
          corpus: spec.corpus,
          lang: spec.lang,
          reason
        })
      )
}

export const prepareRunData = Effect.fn("Experiment.prepareData")(function* (
  spec: ExperimentSpec,
  tokenizer: SubwordTokenizer
) {
  const corpora = yield* Corpora
  const { protocol } = spec
  const labels = labelSet(spec.corpus === "conll" ? conllTypes : wikiannTypes)
  const id = (lang: string, split: CorpusId["split"]): CorpusId => ({ corpus: spec.corpus, lang, split })
  const labeled = labeledLanguage(spec)
  const labeledTrain = id(labeled, "train")
  const sampled = yield* corpora.sample(labeledTrain, spec.sourceSize, spec.seed)
  const sample = sampled.map((s) => s.index)
  const needs = spec.method.needs
  const encodedSource = yield* encode(
    tokenizer,
    sampled.map((s) => s.sentence),
    labels,
    protocol.maxLength,
    corpusPaths(labeledTrain).text
  )
  let teacherExamples: Array<TrainExample> = sampled.map((s, i) => ({
    index: s.index,
    source: encodedSource.encodings[i]!
  }))
  let missingTranslations: ReadonlyArray<number> = []
  let pairing: RunData["pairing"]
  let translationTruncation: TruncationReport | undefined
  let translation: TranslationRecord | undefined
  if (needs.translations) {
    yield* checkTranslationsAvailable(spec)
    const source = spec.translations
    let pairs: ReadonlyArray<{ readonly index: number; readonly target: Sentence }>
    let file: string
    if (typeof source === "string") {
      const tid = { system: source, lang: spec.lang } as const
      const set = yield* corpora.translations(tid, spec.mismatches)
      file = translationPaths(tid).text
      const paired = pairsForSample(set, sample)
      pairs = paired.pairs
      missingTranslations = paired.missing
      const { invalidTransitions, leakedPlaceholders, ...report } = set.report
      pairing = {
        ...report,
        invalidTransitions: invalidTransitions.length,
        leakedPlaceholders: leakedPlaceholders.length
      }
    } else {
      const translated = yield* translateSample(source, formatTranslationSource(source), sampled, {
        to: spec.lang,
        policy: spec.mismatches,
        root: corpora.root
      })
      translation = translated.record
      file = `${translated.record.engine} translation of ${corpusPaths(labeledTrain).text}`
      pairs = translated.sentences.flatMap((t) => (t.target ? [{ index: t.index, target: t.target }] : []))
      missingTranslations = translated.sentences.flatMap((t) => (t.target ? [] : [t.index]))
    }
    const translated = yield* encode(
      tokenizer,
      pairs.map((p) => p.target),
      labels,
      protocol.maxLength,
      file
    )
    translationTruncation = translated.report
    const bySource = new Map(sample.map((index, i) => [index, encodedSource.encodings[i]!]))
    teacherExamples = pairs.map((p, i) => ({
      index: p.index,
      source: bySource.get(p.index)!,
      translation: translated.encodings[i]!
    }))
  }
  const devAll = (yield* corpora.load(id(labeled, "dev"))).sentences
  const dev = subset(devAll, protocol.devSentences, `${spec.seed}/dev`)
  const test = testSet((yield* corpora.load(id(spec.lang, "test"))).sentences, spec)
  const unlabeled = distillationSet((yield* corpora.load(id(spec.lang, "train"))).sentences, spec)
  return {
    labels,
    sample,
    teacherExamples,
    missingTranslations,
    ...(pairing ? { pairing } : {}),
    ...(translation ? { translation } : {}),
    truncation: {
      source: encodedSource.report,
      ...(translationTruncation ? { translation: translationTruncation } : {})
    },
    dev,
    test,
    unlabeled
  } satisfies RunData
})
