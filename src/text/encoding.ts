import { IGNORE_INDEX } from "../data/labels.js"

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

/**
 * Encodings padded into one batch of flat `(rows, length)` int32 rows, ready for batch tensors:
 * to the longest (dynamic padding) unless `length` is given; never truncated. Padding is masked
 * (`attentionMask` 0), ignored (`labels` −100; all −100 for an encoding without labels) and has
 * word id −1, like [CLS] and [SEP].
 */
export const padRows = (encodings: ReadonlyArray<WordEncoding>, padId: number, length?: number) => {
  const longest = Math.max(1, ...encodings.map((e) => e.inputIds.length))
  const width = length ?? longest
  if (width < longest) throw new RangeError(`padRows: cannot pad ${longest} subwords to ${width}`)
  const rows = encodings.length
  const inputIds = new Int32Array(rows * width).fill(padId)
  const attentionMask = new Int32Array(rows * width)
  const labels = new Int32Array(rows * width).fill(IGNORE_INDEX)
  const wordIds = new Int32Array(rows * width).fill(-1)
  encodings.forEach((e, r) => {
    inputIds.set(e.inputIds, r * width)
    attentionMask.fill(1, r * width, r * width + e.inputIds.length)
    if (e.labels !== undefined) labels.set(e.labels, r * width)
    wordIds.set(e.wordIds, r * width)
  })
  return { rows, length: width, inputIds, attentionMask, labels, wordIds }
}
