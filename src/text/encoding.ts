/** The label of a position the loss ignores (PyTorch's `CrossEntropyLoss` default, used by HF). */
export const IGNORE_INDEX = -100

/** A raw sentence encoded for the encoder: `[CLS] … [SEP]`. */
export interface TextEncoding {
  readonly tokens: ReadonlyArray<string>
  readonly inputIds: ReadonlyArray<number>
}

/** One pre-tokenized sentence encoded for token classification. */
export interface WordEncoding extends TextEncoding {
  /** per subword: the index of the word it comes from; −1 for [CLS] and [SEP] */
  readonly wordIds: ReadonlyArray<number>
  /** per kept word: the index of its first subword (the one that carries its label) */
  readonly labelPositions: ReadonlyArray<number>
  /** per subword: the word's label id at its first subword, −100 elsewhere (only when labels were given) */
  readonly labels?: ReadonlyArray<number>
  /** how many words the sentence has */
  readonly words: number
  /** how many words survived truncation (a prefix of the sentence) */
  readonly keptWords: number
  /** kept words that yielded no subword and were encoded as one [UNK] */
  readonly emptyWords: ReadonlyArray<number>
}

/** A word encoding padded to a fixed length: flat int32 rows, ready for a batch tensor. */
export interface PaddedEncoding {
  readonly inputIds: Int32Array
  readonly attentionMask: Int32Array
  /** −100 at [CLS], [SEP], continuation subwords and padding; all −100 when the encoding has no labels */
  readonly labels: Int32Array
  /** −1 at [CLS], [SEP] and padding */
  readonly wordIds: Int32Array
}

/** Pads (never truncates) an encoding to `length` positions with `padId`; padding is masked and ignored. */
export const padEncoding = (encoding: WordEncoding, length: number, padId: number): PaddedEncoding => {
  const n = encoding.inputIds.length
  if (length < n) throw new RangeError(`padEncoding: cannot pad ${n} subwords to ${length}`)
  const inputIds = new Int32Array(length).fill(padId)
  const attentionMask = new Int32Array(length)
  const labels = new Int32Array(length).fill(IGNORE_INDEX)
  const wordIds = new Int32Array(length).fill(-1)
  inputIds.set(encoding.inputIds)
  attentionMask.fill(1, 0, n)
  if (encoding.labels !== undefined) labels.set(encoding.labels)
  wordIds.set(encoding.wordIds)
  return { inputIds, attentionMask, labels, wordIds }
}
