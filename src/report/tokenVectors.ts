/**
 * The paper's representation figure, as data: the encoder's vector of each word (its first
 * subword's last hidden state, as LCL reads it) for a seeded sample of labeled sentences in
 * several languages, projected to 2-D with UMAP (umap-js, seeded so the picture is reproducible).
 * Encoding (a step per batch) and UMAP (a step per epoch) show their progress.
 */
import { Data, Effect } from "effect"
import { UMAP } from "umap-js"
import type { Sentence } from "../data/conll.js"
import { mulberry32, sampleIndices } from "../data/sampling.js"
import type { BertConfig } from "../model/config.js"
import { bertEncoder } from "../model/encoder.js"
import { EVAL } from "../model/ops.js"
import type { BertParams } from "../model/params.js"
import { Progress } from "../runtime/Progress.js"
import { tf } from "../runtime/tf.js"
import type { SubwordTokenizer } from "../text/Tokenizer.js"
import { padRows } from "../text/encoding.js"

export interface TokenVector {
  readonly lang: string
  readonly word: string
  /** The word's gold tag. */
  readonly tag: string
  readonly vector: ReadonlyArray<number>
}

export interface LangSentences {
  readonly lang: string
  readonly sentences: ReadonlyArray<Sentence>
}

export interface SampleOptions {
  /** Words kept per language (fewer when the corpus has fewer). */
  readonly perLang: number
  /** Keep words tagged `O` too (by default only entity words, whose clusters the figure shows). */
  readonly includeO: boolean
  readonly seed: number
  readonly maxLength: number
  readonly batchSize: number
}

/** A sentence and the positions of its words that are drawn. */
interface Picked {
  readonly sentence: Sentence
  readonly words: ReadonlyArray<number>
}

/** Sentences of one language that go through the encoder together. */
export interface WordBatch {
  readonly lang: string
  readonly picked: ReadonlyArray<Picked>
}

/**
 * For each language, sentences in a seeded order until `perLang` words are taken, in batches of
 * `batchSize` sentences.
 */
export const wordBatches = (
  corpora: ReadonlyArray<LangSentences>,
  options: SampleOptions
): Array<WordBatch> =>
  corpora.flatMap(({ lang, sentences }) => {
    const picked: Array<Picked> = []
    let taken = 0
    for (const i of sampleIndices(sentences.length, sentences.length, `${options.seed}/visualize/${lang}`)) {
      if (taken >= options.perLang) break
      const sentence = sentences[i]!
      const words = sentence.tags.flatMap((t, j) => (options.includeO || t !== "O" ? [j] : []))
      const kept = words.slice(0, options.perLang - taken)
      if (kept.length === 0) continue
      picked.push({ sentence, words: kept })
      taken += kept.length
    }
    return Array.from({ length: Math.ceil(picked.length / options.batchSize) }, (_, b) => ({
      lang,
      picked: picked.slice(b * options.batchSize, (b + 1) * options.batchSize)
    }))
  })

/** A batch's word vectors from an eval-mode forward pass (words cut by `maxLength` are not taken), and its subwords. */
const batchVectors = (
  params: BertParams,
  config: BertConfig,
  tokenizer: SubwordTokenizer,
  { lang, picked }: WordBatch,
  maxLength: number
): { readonly vectors: Array<TokenVector>; readonly tokens: number } => {
  const encodings = picked.map((p) => tokenizer.encodeWords(p.sentence.tokens, undefined, maxLength))
  const rows = padRows(encodings, tokenizer.vocab.padId)
  const hidden = tf.tidy(() =>
    bertEncoder(
      params,
      config,
      {
        inputIds: tf.tensor2d(rows.inputIds, [rows.rows, rows.length], "int32"),
        attentionMask: tf.tensor2d(rows.attentionMask, [rows.rows, rows.length], "int32")
      },
      EVAL
    )
  )
  const flat = hidden.dataSync()
  const size = hidden.shape[2]
  hidden.dispose()
  const vectors = picked.flatMap((p, r) => {
    const positions = encodings[r]!.labelPositions
    return p.words.flatMap((j) => {
      const position = positions[j]
      if (position === undefined) return [] // past maxLength
      const offset = (r * rows.length + position) * size
      return [
        {
          lang,
          word: p.sentence.tokens[j]!,
          tag: p.sentence.tags[j]!,
          vector: Array.from(flat.subarray(offset, offset + size))
        }
      ]
    })
  })
  return { vectors, tokens: encodings.reduce((sum, e) => sum + e.inputIds.length, 0) }
}

/** The batches' word vectors, in order; each batch is a step of the Progress stage `encode`. */
export const tokenVectors = Effect.fn("Visualize.tokenVectors")(function* (
  params: BertParams,
  config: BertConfig,
  tokenizer: SubwordTokenizer,
  batches: ReadonlyArray<WordBatch>,
  maxLength: number
) {
  const progress = yield* Progress
  const out: Array<TokenVector> = []
  for (const [i, batch] of batches.entries()) {
    const { vectors, tokens } = batchVectors(params, config, tokenizer, batch, maxLength)
    out.push(...vectors)
    yield* progress.tick({ stage: "encode", step: i + 1, total: batches.length, tokens })
  }
  return out
})

export interface ProjectedToken {
  readonly lang: string
  readonly word: string
  readonly tag: string
  readonly x: number
  readonly y: number
}

/** Fewer than 3 word vectors to project (UMAP needs 3): the languages or split hold too few words. */
export class TooFewWords extends Data.TaggedError("TooFewWords")<{ readonly count: number }> {
  override get message() {
    return `only ${this.count} word${this.count === 1 ? "" : "s"} to draw, and UMAP needs at least 3: draw more (--per-lang, --include-o, more languages, another --split)`
  }
}

/**
 * UMAP to 2-D, seeded (same vectors and seed → the same picture), epoch by epoch as `fit` runs
 * it, each epoch a step of the Progress stage `UMAP`. Needs at least 3 vectors.
 */
export const projectTokens = Effect.fn("Visualize.projectTokens")(function* (
  tokens: ReadonlyArray<TokenVector>,
  seed: number
) {
  if (tokens.length < 3) return yield* new TooFewWords({ count: tokens.length })
  const progress = yield* Progress
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(15, tokens.length - 1),
    random: mulberry32(seed)
  })
  const epochs = umap.initializeFit(tokens.map((t) => [...t.vector]))
  for (let epoch = 0; epoch < epochs; ) {
    epoch = umap.step()
    yield* progress.tick({ stage: "UMAP", step: epoch, total: epochs })
  }
  const xy = umap.getEmbedding()
  return tokens.map(
    (t, i): ProjectedToken => ({ lang: t.lang, word: t.word, tag: t.tag, x: xy[i]![0]!, y: xy[i]![1]! })
  )
})
