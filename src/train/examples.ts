/**
 * What the batcher batches: training examples built from encoded sentences. Labeled examples come
 * from the run's data (a sampled source sentence and/or its translation); distillation's come from
 * unlabeled target text.
 */
import type { Sentence } from "../data/conll.js"
import type { SubwordTokenizer } from "../text/Tokenizer.js"
import type { WordEncoding } from "../text/encoding.js"

/** One training unit: a source sentence and/or its translation, and the English index it comes from. */
export interface TrainExample {
  readonly index: number
  readonly source?: WordEncoding
  readonly translation?: WordEncoding
}

/**
 * D_U as student examples: words without labels; each word's first subword is marked with label 0
 * so the batch's label mask says which positions the distillation loss reads.
 */
export const unlabeledExamples = (
  tokenizer: SubwordTokenizer,
  sentences: ReadonlyArray<Sentence>,
  maxLength: number
): Array<TrainExample> =>
  sentences.map((s, index) => ({
    index,
    source: tokenizer.encodeWords(s.tokens, new Array<number>(s.tokens.length).fill(0), maxLength)
  }))
