/**
 * The text a vocabulary (or pretraining) is trained on: datasets of the data root named like
 * `conll/en/train`, `wikiann/de/dev`, `translations/mulda/de`, or files. **Test splits are refused**
 * — a dataset `…/test`, or a file whose name marks it as one (`test.txt`, `eng.testb`, `de.test.tsv`)
 * — so nothing evaluated later was seen by the vocabulary.
 *
 * File formats: `conll` (one token per line, tag last, blank lines between sentences; read by the
 * data stage's strict decoder, so a malformed line fails with file:line) or `text` (raw text, one
 * sentence per line). `auto` reads the first non-blank line: two or more space/tab-separated columns
 * whose last is a tag (`O`, `B-X`, `I-X`, `E-X`, `S-X`) mean CoNLL; anything else is raw text.
 */
import * as path from "node:path"
import { Data, Effect, Either } from "effect"
import { Corpora } from "../data/Corpora.js"
import { decodeConll } from "../data/conll.js"
import { type CorpusId, type TranslationId, checkCorpusId, checkTranslationId } from "../data/datasets.js"
import type { UnknownDatasetError } from "../data/errors.js"
import { hashSeed, sampleIndices } from "../data/sampling.js"
import { readTextFile } from "../data/utf8.js"

export type CorpusFormat = "auto" | "conll" | "text"
export const corpusFormats: ReadonlyArray<CorpusFormat> = ["auto", "conll", "text"]

/** A test split given as training text. */
export class TestSplitRefused extends Data.TaggedError("TestSplitRefused")<{
  readonly source: string
  readonly reason: string
}> {
  override get message() {
    return `${this.source}: ${this.reason}; vocabularies and pretraining must never see test data`
  }
}

/** Where training text comes from; `group` is its language (a file is a group of its own). */
export type CorpusSource =
  | { readonly _tag: "Corpus"; readonly spec: string; readonly group: string; readonly id: CorpusId }
  | {
      readonly _tag: "Translation"
      readonly spec: string
      readonly group: string
      readonly id: TranslationId
    }
  | { readonly _tag: "File"; readonly spec: string; readonly group: string; readonly file: string }

/** Sentences of one source: each a list of texts to basic-tokenize (CoNLL tokens, or one raw line). */
export interface SourceText {
  readonly source: CorpusSource
  readonly format: "dataset" | "conll" | "text"
  readonly sentences: ReadonlyArray<ReadonlyArray<string>>
}

const CORPUS_NAME = /^(conll|wikiann)\/([^/]+)\/([^/]+)$/
const TRANSLATION_NAME = /^translations\/([^/]+)\/([^/]+)$/
// `test` as a word of the file name: test.txt, eng.testb, de.conll.test.tsv (CoNLL's `testa` is dev)
const TEST_FILE = /(^|[^a-z0-9])testb?([^a-z0-9]|$)/i

/**
 * Reads a `--corpus` value: a dataset name when it has one of the name shapes (a file named like
 * one can be given as `./conll/en/train`), else a file path.
 */
export const parseCorpusSource = (
  spec: string
): Either.Either<CorpusSource, TestSplitRefused | UnknownDatasetError> => {
  const corpus = CORPUS_NAME.exec(spec)
  if (corpus !== null) {
    const [, name, lang, split] = corpus
    if (split === "test") return Either.left(new TestSplitRefused({ source: spec, reason: "a test split" }))
    return Either.map(
      checkCorpusId({ corpus: name as CorpusId["corpus"], lang: lang!, split: split as CorpusId["split"] }),
      (id): CorpusSource => ({ _tag: "Corpus", spec, group: id.lang, id })
    )
  }
  const translation = TRANSLATION_NAME.exec(spec)
  if (translation !== null)
    return Either.map(
      checkTranslationId({ system: translation[1] as TranslationId["system"], lang: translation[2]! }),
      (id): CorpusSource => ({ _tag: "Translation", spec, group: id.lang, id })
    )
  if (TEST_FILE.test(path.basename(spec)))
    return Either.left(
      new TestSplitRefused({
        source: spec,
        reason: "the file name marks a test split (rename it if it is not)"
      })
    )
  return Either.right({ _tag: "File", spec, group: `file:${spec}`, file: spec })
}

const TAG = /^(O|[BIES]-.+)$/

/** `auto` detection: CoNLL when the first non-blank line is `token … tag`. */
export const detectFormat = (text: string): "conll" | "text" => {
  for (const line of text.split(/\r?\n/)) {
    const columns = line.split(/[ \t]+/).filter((c) => c !== "")
    if (columns.length === 0 || columns[0] === "-DOCSTART-") continue
    return columns.length >= 2 && TAG.test(columns[columns.length - 1]!) ? "conll" : "text"
  }
  return "text"
}

/** Raw text: each non-blank line is a sentence (the basic tokenizer splits it into words). */
const rawSentences = (text: string): Array<ReadonlyArray<string>> =>
  text
    .replace(/^\ufeff/, "")
    .split(/\r\n|\r|\n/)
    .filter((line) => line.trim() !== "")
    .map((line) => [line])

/** Reads one source's sentences (datasets through `Corpora`, files from disk). */
export const readSource = Effect.fn("VocabCorpus.read")(function* (
  source: CorpusSource,
  format: CorpusFormat
) {
  switch (source._tag) {
    case "Corpus": {
      const corpus = yield* (yield* Corpora).load(source.id)
      return { source, format: "dataset", sentences: corpus.sentences.map((s) => s.tokens) } as SourceText
    }
    case "Translation": {
      const set = yield* (yield* Corpora).translations(source.id, "keep")
      return { source, format: "dataset", sentences: set.sentences.map((s) => s.tokens) } as SourceText
    }
    case "File": {
      const text = yield* readTextFile(source.file)
      const read = format === "auto" ? detectFormat(text) : format
      if (read === "text") return { source, format: read, sentences: rawSentences(text) } as SourceText
      const decoded = yield* decodeConll(text, source.file)
      return { source, format: read, sentences: decoded.sentences.map((s) => s.tokens) } as SourceText
    }
  }
})

/** Parses every `--corpus` value (all before reading any, so a refused one fails fast) and reads them. */
export const readSources = Effect.fn("VocabCorpus.readAll")(function* (
  specs: ReadonlyArray<string>,
  format: CorpusFormat
) {
  const sources: Array<CorpusSource> = []
  for (const spec of specs) sources.push(yield* parseCorpusSource(spec))
  return yield* Effect.forEach(sources, (source) => readSource(source, format))
})

/**
 * XLM's exponent-smoothed language sampling: group i (n_i sentences of N) gets the share
 * q_i = p_i^α / Σ_j p_j^α of N draws, p_i = n_i / N; α = 1 keeps the corpus as it is, α → 0 makes
 * groups equal. Returns each group's number of draws, `round(q_i · N)`.
 */
export const smoothedDraws = (sizes: ReadonlyArray<number>, alpha: number): Array<number> => {
  const total = sizes.reduce((a, b) => a + b, 0)
  const powered = sizes.map((n) => (n === 0 ? 0 : (n / total) ** alpha))
  const norm = powered.reduce((a, b) => a + b, 0)
  return powered.map((q) => (norm === 0 ? 0 : Math.round((q / norm) * total)))
}

/**
 * How many times each sentence of a group of `n` is drawn for `draws` draws: every sentence
 * ⌊draws / n⌋ times, plus once more for `draws mod n` of them picked by `sampleIndices` (without
 * replacement, so the sample stays as close to the smoothed share as integers allow).
 */
export const drawCounts = (n: number, draws: number, seed: number | string): Array<number> => {
  const counts = new Array<number>(n).fill(n === 0 ? 0 : Math.floor(draws / n))
  if (n > 0) for (const i of sampleIndices(n, draws % n, seed)) counts[i]!++
  return counts
}

export interface BalanceOptions {
  readonly alpha: number
  readonly seed: number
}

/**
 * The texts to count, each with its weight: every sentence once, or, with `balance`, as often as
 * language-balanced sampling draws it (sources of one language are pooled first, in order).
 */
export const weightedTexts = function* (
  sources: ReadonlyArray<SourceText>,
  balance?: BalanceOptions
): Generator<readonly [string, number]> {
  const groups = new Map<string, Array<ReadonlyArray<string>>>()
  for (const s of sources) {
    const pool = groups.get(s.source.group)
    if (pool === undefined) groups.set(s.source.group, [...s.sentences])
    else for (const sentence of s.sentences) pool.push(sentence)
  }
  const pools = [...groups]
  const draws =
    balance === undefined
      ? undefined
      : smoothedDraws(
          pools.map(([, p]) => p.length),
          balance.alpha
        )
  for (let g = 0; g < pools.length; g++) {
    const [group, sentences] = pools[g]!
    const counts =
      draws === undefined
        ? undefined
        : drawCounts(sentences.length, draws[g]!, hashSeed(`${balance!.seed}/${group}`))
    for (let i = 0; i < sentences.length; i++) {
      const weight = counts === undefined ? 1 : counts[i]!
      if (weight > 0) for (const text of sentences[i]!) yield [text, weight] as const
    }
  }
}
