import { type BasicToken, basicTokenize } from "./basic.js"
import {
  type TextEncoding,
  type WordEncoding,
  type WordSplitter,
  encodeSubwordSequence,
  encodeWordSequence,
  memoizeWords
} from "./encoding.js"
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
  private readonly splitter: WordSplitter

  readonly kind = "wordpiece"

  constructor(readonly vocab: Vocab) {
    this.splitter = {
      cls: { token: "[CLS]", id: vocab.clsId },
      sep: { token: "[SEP]", id: vocab.sepId },
      unk: { token: "[UNK]", id: vocab.unkId },
      wordSubwords: memoizeWords((word) => this.tokenize(word).map(({ token, id }) => ({ token, id })))
    }
  }

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
    return encodeSubwordSequence(this.splitter, this.tokenize(text), maxLength)
  }

  /**
   * Encodes pre-tokenized words (one NER sentence) for token classification (`encodeWordSequence`): a
   * word that yields no subword (empty, or only whitespace or control characters such as a lone U+200B)
   * becomes one `[UNK]`; truncation drops whole words (HF would cut inside a word).
   */
  encodeWords(words: ReadonlyArray<string>, labels?: ReadonlyArray<number>, maxLength = 128): WordEncoding {
    return encodeWordSequence(this.splitter, words, labels, maxLength)
  }
}
