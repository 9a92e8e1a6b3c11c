import { IGNORE_INDEX } from "../data/labels.js"
import { type BasicToken, basicTokenize } from "./basic.js"
import type { TextEncoding, WordEncoding } from "./encoding.js"
import { SPECIAL_TOKENS, type Vocab } from "./vocab.js"
import { type WordPieces, wordPiece } from "./wordpiece.js"

/** A subword of a text, traced back to it: `word` indexes the basic tokens, `[start, end)` is UTF-16. */
export interface Subword {
  readonly token: string
  readonly id: number
  readonly word: number
  readonly start: number
  readonly end: number
}

interface WordSubword {
  readonly token: string
  readonly id: number
}

const CACHE_LIMIT = 1 << 18

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

/**
 * mBERT-cased's tokenizer (HF `BertTokenizer` with `do_lower_case=False`): special tokens written in the
 * text are kept whole, the rest goes through the basic tokenizer, then WordPiece. A pure value built
 * from a vocabulary; see `Tokenizer` for the service that loads one from a model directory.
 */
export class BertTokenizer {
  private readonly specials: ReadonlySet<string> = new Set(SPECIAL_TOKENS)
  private readonly specialPattern = new RegExp(SPECIAL_TOKENS.map(escapeRegExp).join("|"), "g")

  // word → its subwords: corpora repeat words (Zipf), so encodeWords mostly looks them up
  private readonly cache = new Map<string, ReadonlyArray<WordSubword>>()

  constructor(readonly vocab: Vocab) {}

  /** HF `tokenize`, with each subword's basic-token index and source span. */
  tokenize(text: string): Array<Subword> {
    const out: Array<Subword> = []
    this.split(
      text,
      (word, token, split) => {
        const spanEnd = (i: number) => token.offsets[i]! + token.chars[i]!.length
        if (split._tag === "Pieces")
          for (const p of split.pieces)
            out.push({
              token: p.token,
              id: p.id,
              word,
              start: token.offsets[p.start]!,
              end: spanEnd(p.end - 1)
            })
        else
          out.push({
            token: "[UNK]",
            id: this.vocab.unkId,
            word,
            start: token.offsets[0]!,
            end: spanEnd(token.chars.length - 1)
          })
      },
      (word, special, start) => {
        out.push({
          token: special,
          id: this.vocab.id(special) ?? this.vocab.unkId,
          word,
          start,
          end: start + special.length
        })
      }
    )
    return out
  }

  /**
   * Adds to `into` the id of every subword `tokenize(text)` yields, and the pieces a word matched before
   * WordPiece gave up on it: a vocabulary trimmed to these ids tokenizes `text` exactly as this one does.
   */
  collectIds(text: string, into: Set<number>): void {
    this.split(
      text,
      (_word, _token, split) => {
        if (split._tag === "Unknown") into.add(this.vocab.unkId)
        for (const p of split._tag === "Pieces" ? split.pieces : split.partial) into.add(p.id)
      },
      (_, special) => {
        into.add(this.vocab.id(special) ?? this.vocab.unkId)
      }
    )
  }

  // HF splits the raw text on special tokens first (`tokens_trie.split`), then basic-tokenizes the rest
  private split(
    text: string,
    onWord: (word: number, token: BasicToken, split: WordPieces) => void,
    onSpecial: (word: number, special: string, start: number) => void
  ): void {
    let word = 0
    const segment = (start: number, end: number) => {
      for (const token of basicTokenize(text.slice(start, end), this.specials, start))
        onWord(word++, token, wordPiece(token.chars, this.vocab))
    }
    let from = 0
    // every special token starts with "[": most words need no search
    if (text.includes("["))
      for (const m of text.matchAll(this.specialPattern)) {
        segment(from, m.index)
        onSpecial(word++, m[0], m.index)
        from = m.index + m[0].length
      }
    segment(from, text.length)
  }

  /**
   * `[CLS] subwords [SEP]` of a raw sentence, as HF's `tokenizer(text)` gives them. With `maxLength`, the
   * subwords are cut to `maxLength - 2` like HF's `truncation=True` (possibly inside a word).
   */
  encodeText(text: string, maxLength?: number): TextEncoding {
    let subwords = this.tokenize(text)
    if (maxLength !== undefined) subwords = subwords.slice(0, checkMaxLength(maxLength) - 2)
    return {
      tokens: ["[CLS]", ...subwords.map((s) => s.token), "[SEP]"],
      inputIds: [this.vocab.clsId, ...subwords.map((s) => s.id), this.vocab.sepId]
    }
  }

  private wordSubwords(word: string): ReadonlyArray<WordSubword> {
    let subwords = this.cache.get(word)
    if (subwords === undefined) {
      subwords = this.tokenize(word).map(({ token, id }) => ({ token, id }))
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear() // bounds memory in long-lived processes
      this.cache.set(word, subwords)
    }
    return subwords
  }

  /**
   * Encodes pre-tokenized words (one NER sentence) for token classification. Each word is tokenized on
   * its own (HF `is_split_into_words`); a word that yields no subword (empty, or only whitespace or
   * control characters such as a lone U+200B) becomes one `[UNK]` instead of vanishing as in HF, so no
   * label is lost. The first subword of each word carries its label, the others and [CLS]/[SEP] get
   * −100. Truncation to `maxLength` (with [CLS]/[SEP]) drops whole words from the end: a kept word has
   * all its subwords (HF would cut inside a word); `keptWords` says how many survived.
   */
  encodeWords(words: ReadonlyArray<string>, labels?: ReadonlyArray<number>, maxLength = 128): WordEncoding {
    if (labels !== undefined && labels.length !== words.length)
      throw new RangeError(`encodeWords: ${words.length} words but ${labels.length} labels`)
    const budget = checkMaxLength(maxLength) - 2
    const tokens = ["[CLS]"]
    const inputIds = [this.vocab.clsId]
    const wordIds = [-1]
    const labelPositions: Array<number> = []
    const emptyWords: Array<number> = []
    let keptWords = 0
    for (let w = 0; w < words.length; w++) {
      const found = this.wordSubwords(words[w]!)
      const subwords = found.length > 0 ? found : [{ token: "[UNK]", id: this.vocab.unkId }]
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
    tokens.push("[SEP]")
    inputIds.push(this.vocab.sepId)
    wordIds.push(-1)
    const base = { tokens, inputIds, wordIds, labelPositions, words: words.length, keptWords, emptyWords }
    if (labels === undefined) return base
    const subwordLabels = new Array<number>(tokens.length).fill(IGNORE_INDEX)
    labelPositions.forEach((position, w) => {
      subwordLabels[position] = labels[w]!
    })
    return { ...base, labels: subwordLabels }
  }
}

const checkMaxLength = (maxLength: number): number => {
  if (!Number.isInteger(maxLength) || maxLength < 2)
    throw new RangeError(`maxLength must be an integer ≥ 2 (room for [CLS] and [SEP]), got ${maxLength}`)
  return maxLength
}
