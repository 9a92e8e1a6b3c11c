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

/** A subword of one word: its spelling and id. */
export interface WordSubword {
  readonly token: string
  readonly id: number
}

/** What `encodeWordSequence` needs of a tokenizer: its sentence markers, `<unk>`, and one word's subwords. */
export interface WordSplitter {
  readonly cls: WordSubword
  readonly sep: WordSubword
  readonly unk: WordSubword
  readonly wordSubwords: (word: string) => ReadonlyArray<WordSubword>
}

/** Checks a `maxLength` leaves room for the two sentence markers. */
export const checkMaxLength = (maxLength: number): number => {
  if (!Number.isInteger(maxLength) || maxLength < 2)
    throw new RangeError(`maxLength must be an integer ≥ 2 (room for [CLS] and [SEP]), got ${maxLength}`)
  return maxLength
}

/**
 * A raw sentence's subwords between the sentence markers, as HF's `tokenizer(text)` gives them; with
 * `maxLength` the subwords are cut to `maxLength - 2` like `truncation=True` (possibly inside a word).
 */
export const encodeSubwordSequence = (
  splitter: WordSplitter,
  subwords: ReadonlyArray<WordSubword>,
  maxLength?: number
): TextEncoding => {
  const kept = maxLength === undefined ? subwords : subwords.slice(0, checkMaxLength(maxLength) - 2)
  return {
    tokens: [splitter.cls.token, ...kept.map((s) => s.token), splitter.sep.token],
    inputIds: [splitter.cls.id, ...kept.map((s) => s.id), splitter.sep.id]
  }
}

/**
 * Encodes pre-tokenized words (one NER sentence) for token classification, for any subword tokenizer:
 * each word is tokenized on its own (HF `is_split_into_words`); a word that yields no subword becomes
 * one unknown token instead of vanishing as in HF, so no label is lost. The first subword of each word
 * carries its label, the others and the sentence markers get −100. Truncation to `maxLength` (markers
 * included) drops whole words from the end; `keptWords` says how many survived.
 */
export const encodeWordSequence = (
  splitter: WordSplitter,
  words: ReadonlyArray<string>,
  labels: ReadonlyArray<number> | undefined,
  maxLength: number
): WordEncoding => {
  if (labels !== undefined && labels.length !== words.length)
    throw new RangeError(`encodeWords: ${words.length} words but ${labels.length} labels`)
  const budget = checkMaxLength(maxLength) - 2
  const tokens = [splitter.cls.token]
  const inputIds = [splitter.cls.id]
  const wordIds = [-1]
  const labelPositions: Array<number> = []
  const emptyWords: Array<number> = []
  let keptWords = 0
  for (let w = 0; w < words.length; w++) {
    const found = splitter.wordSubwords(words[w]!)
    const subwords = found.length > 0 ? found : [splitter.unk]
    if (tokens.length - 1 + subwords.length > budget) break
    if (found.length === 0) emptyWords.push(w)
    labelPositions.push(tokens.length)
    for (const s of subwords) {
      tokens.push(s.token)
      inputIds.push(s.id)
      wordIds.push(w)
    }
    keptWords++
  }
  tokens.push(splitter.sep.token)
  inputIds.push(splitter.sep.id)
  wordIds.push(-1)
  const base = { tokens, inputIds, wordIds, labelPositions, words: words.length, keptWords, emptyWords }
  if (labels === undefined) return base
  const subwordLabels = new Array<number>(tokens.length).fill(IGNORE_INDEX)
  labelPositions.forEach((position, w) => {
    subwordLabels[position] = labels[w]!
  })
  return { ...base, labels: subwordLabels }
}

const CACHE_LIMIT = 1 << 18

/** `split` memoized per word: corpora repeat words (Zipf); the cache is bounded for long-lived processes. */
export const memoizeWords = (
  split: (word: string) => ReadonlyArray<WordSubword>
): ((word: string) => ReadonlyArray<WordSubword>) => {
  const cache = new Map<string, ReadonlyArray<WordSubword>>()
  return (word) => {
    let subwords = cache.get(word)
    if (subwords === undefined) {
      subwords = split(word)
      if (cache.size >= CACHE_LIMIT) cache.clear()
      cache.set(word, subwords)
    }
    return subwords
  }
}
