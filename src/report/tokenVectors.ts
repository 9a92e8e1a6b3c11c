/**
 * The paper's representation figure, as data: the encoder's vector of each word (its first
 * subword's last hidden state, as LCL reads it) for a seeded sample of labeled sentences in
 * several languages, projected to 2-D with UMAP (umap-js, seeded so the picture is reproducible).
 */
import { UMAP } from "umap-js"
import type { Sentence } from "../data/conll.js"
import { mulberry32, sampleIndices } from "../data/sampling.js"
import type { BertConfig } from "../model/config.js"
import { bertEncoder } from "../model/encoder.js"
import { EVAL } from "../model/ops.js"
import type { BertParams } from "../model/params.js"
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

/**
 * For each language, sentences in a seeded order until `perLang` words are taken; their vectors
 * from an eval-mode forward pass. Words cut by `maxLength` are not taken.
 */
export const tokenVectors = (
  params: BertParams,
  config: BertConfig,
  tokenizer: SubwordTokenizer,
  corpora: ReadonlyArray<LangSentences>,
  options: SampleOptions
): Array<TokenVector> =>
  corpora.flatMap(({ lang, sentences }) => {
    const picked: Array<{ sentence: Sentence; words: Array<number> }> = []
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
    const out: Array<TokenVector> = []
    for (let start = 0; start < picked.length; start += options.batchSize) {
      const batch = picked.slice(start, start + options.batchSize)
      const encodings = batch.map((p) =>
        tokenizer.encodeWords(p.sentence.tokens, undefined, options.maxLength)
      )
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
      batch.forEach((p, r) => {
        const positions = encodings[r]!.labelPositions
        for (const j of p.words) {
          const position = positions[j]
          if (position === undefined) continue // past maxLength
          const offset = (r * rows.length + position) * size
          out.push({
            lang,
            word: p.sentence.tokens[j]!,
            tag: p.sentence.tags[j]!,
            vector: Array.from(flat.subarray(offset, offset + size))
          })
        }
      })
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

/** UMAP to 2-D, seeded (same vectors and seed → the same picture). Needs at least 3 vectors. */
export const projectTokens = (tokens: ReadonlyArray<TokenVector>, seed: number): Array<ProjectedToken> => {
  if (tokens.length < 3)
    throw new RangeError(`projectTokens: ${tokens.length} vectors, UMAP needs at least 3`)
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(15, tokens.length - 1),
    random: mulberry32(seed)
  })
  const xy = umap.fit(tokens.map((t) => [...t.vector]))
  return tokens.map((t, i) => ({ lang: t.lang, word: t.word, tag: t.tag, x: xy[i]![0]!, y: xy[i]![1]! }))
}
