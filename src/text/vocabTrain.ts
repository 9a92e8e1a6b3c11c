/**
 * WordPiece vocabulary training: BPE-style merges over the basic tokenizer's words (counts weighted
 * by word frequency), continuations marked `##`. Each step merges the adjacent pair (a, b) of highest
 * score, by one of two scorings:
 * - `frequency` (the default): count(ab). This is what HF `tokenizers`' `WordPieceTrainer` does — it
 *   wraps `BpeTrainer` with a `##` prefix (tokenizers/src/models/wordpiece/trainer.rs).
 * - `likelihood`: count(ab) / (count(a)·count(b)), the HF course's "WordPiece tokenization" (its guess
 *   at Google's unpublished trainer). On this project's corpora it spends the budget on rare words
 *   (a pair of rare tokens scores highest) and leaves frequent ones in pieces: a 30k vocabulary on
 *   CoNLL train+dev and WikiAnn train splits the WikiAnn dev words of 16 languages into 2.68 pieces
 *   per word against 1.40 for `frequency` (English 3.80 against 1.45), hence the default.
 * Deviations from the references, all deliberate:
 * - ties in score go to the higher pair count, then to the (left, right) token strings in code-unit
 *   order (the course takes the first pair met, which depends on word order); likelihood scores
 *   compare exactly (cross-multiplied integers) when their doubles are too close to order;
 * - a pair seen fewer than `minPairCount` times is never merged (HF's `min_frequency`);
 * - the initial alphabet is the character floor of `selectAlphabet`; a character the basic tokenizer
 *   always isolates (punctuation, CJK ideographs) gets no `##` form, which no input could use;
 *   a word the alphabet cannot spell, or longer than `maxWordChars`, is `[UNK]` for WordPiece
 *   whatever the vocabulary, so it takes no part in the merges;
 * - special tokens first, `[PAD]` = 0 (no `[unused]` slots), then characters by count, `##`
 *   characters, merged tokens in merge order.
 * Pair counts are updated incrementally (only the words holding the merged pair are rewritten) and
 * pairs sit in an indexed heap; under `likelihood` a merge changes count(a) and count(b), so every pair
 * holding a or b is re-scored. The result depends only on the multiset of (word, count), never on
 * map order.
 */
import { Data, Either } from "effect"
import { type Alphabet, selectAlphabet } from "./alphabet.js"
import { isChineseChar, isPunctuation } from "./chars.js"
import { PairHeap } from "./pairHeap.js"
import { countWords } from "./wordCounts.js"
import { MAX_INPUT_CHARS_PER_WORD } from "./wordpiece.js"

/** The special tokens of a trained vocabulary, ids 0–4: `[PAD]` = 0 is BertConfig's `pad_token_id` default. */
export const TRAINED_SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] as const

export interface WordPieceTrainOptions {
  /** The vocabulary size to reach (fewer tokens when the words run out of pairs). */
  readonly size: number
  /** Per-script share of character occurrences the alphabet covers (default 0.9999). */
  readonly coverage?: number
  /** A character seen this often is always in the alphabet (default 2). */
  readonly minCharCount?: number
  /** Pairs seen fewer times are never merged (default 2). */
  readonly minPairCount?: number
  /** Longer words are `[UNK]` for WordPiece and skipped (default 100, HF's `max_input_chars_per_word`). */
  readonly maxWordChars?: number
  /**
   * `frequency` (default): count(ab), what HF `tokenizers`' WordPieceTrainer does (its BpeTrainer
   * with a `##` prefix); `likelihood`: count(ab) / (count(a)·count(b)), the HF course's WordPiece.
   */
  readonly scoring?: VocabScoring
  /** Called after each merge with the vocabulary's size so far and the size to reach (progress). */
  readonly onToken?: (tokens: number, size: number) => void
}

export type VocabScoring = "likelihood" | "frequency"
export const vocabScorings: ReadonlyArray<VocabScoring> = ["frequency", "likelihood"]

export const DEFAULT_COVERAGE = 0.9999
export const DEFAULT_MIN_CHAR_COUNT = 2
export const DEFAULT_MIN_PAIR_COUNT = 2

/** One merge: the pair, the token it made, and its count and score when chosen. */
export interface Merge {
  readonly left: string
  readonly right: string
  readonly token: string
  readonly count: number
  readonly score: number
}

export interface TrainedWordPiece {
  /** vocab.txt's lines: special tokens, characters, `##` characters, then merged tokens in merge order. */
  readonly tokens: ReadonlyArray<string>
  readonly alphabet: Alphabet
  readonly merges: ReadonlyArray<Merge>
  readonly words: {
    readonly unique: number
    /** Unique words the alphabet cannot spell (they hold a dropped character), and their total count. */
    readonly uncovered: number
    readonly uncoveredCount: number
    /** Unique words longer than `maxWordChars`. */
    readonly tooLong: number
  }
}

/** The special tokens and the character floor alone already exceed the requested size. */
export class VocabSizeTooSmall extends Data.TaggedError("VocabSizeTooSmall")<{
  readonly size: number
  readonly needed: number
  readonly characters: number
}> {
  override get message() {
    return (
      `--size ${this.size}: the special tokens and ${this.characters} characters (with their ## forms) ` +
      `already need ${this.needed} tokens; raise --size, or lower --coverage / raise --min-char-count`
    )
  }
}

/** A training option outside its range. */
export class InvalidVocabOption extends Data.TaggedError("InvalidVocabOption")<{
  readonly option: string
  readonly value: number
  readonly reason: string
}> {
  override get message() {
    return `--${this.option} ${this.value}: ${this.reason}`
  }
}

// a character the basic tokenizer always makes a word of its own: never a continuation
const isolated = (c: string) => isPunctuation(c) || isChineseChar(c.codePointAt(0)!)

const checkOptions = (o: WordPieceTrainOptions) => {
  const bad = (option: string, value: number, reason: string) =>
    Either.left(new InvalidVocabOption({ option, value, reason }))
  const coverage = o.coverage ?? DEFAULT_COVERAGE
  const minCharCount = o.minCharCount ?? DEFAULT_MIN_CHAR_COUNT
  const minPairCount = o.minPairCount ?? DEFAULT_MIN_PAIR_COUNT
  const maxWordChars = o.maxWordChars ?? MAX_INPUT_CHARS_PER_WORD
  if (!Number.isInteger(o.size) || o.size < TRAINED_SPECIAL_TOKENS.length)
    return bad("size", o.size, `must be an integer ≥ ${TRAINED_SPECIAL_TOKENS.length} (the special tokens)`)
  if (!(coverage > 0 && coverage <= 1)) return bad("coverage", coverage, "must be in (0, 1]")
  if (!(Number.isInteger(minCharCount) && minCharCount >= 1))
    return bad("min-char-count", minCharCount, "must be an integer ≥ 1")
  if (!(Number.isInteger(minPairCount) && minPairCount >= 1))
    return bad("min-pair-count", minPairCount, "must be an integer ≥ 1")
  if (!(Number.isInteger(maxWordChars) && maxWordChars >= 1))
    return bad("max-word-chars", maxWordChars, "must be an integer ≥ 1")
  const scoring = o.scoring ?? "frequency"
  return Either.right({ size: o.size, coverage, minCharCount, minPairCount, maxWordChars, scoring })
}

// pair key: a · 2^24 + b stays below 2^53 for any token id under 2^24
const PAIR_BASE = 2 ** 24

/**
 * Trains a WordPiece vocabulary from word counts (the words of `basicTokenize`, e.g. from
 * `countWords`; counts must be positive integers).
 */
export const trainWordPiece = (
  wordCounts: ReadonlyMap<string, number>,
  options: WordPieceTrainOptions
): Either.Either<TrainedWordPiece, VocabSizeTooSmall | InvalidVocabOption> => {
  const checked = checkOptions(options)
  if (Either.isLeft(checked)) return Either.left(checked.left)
  const { size, coverage, minCharCount, minPairCount, maxWordChars, scoring } = checked.right
  const likelihood = scoring === "likelihood"

  const spelled: Array<readonly [ReadonlyArray<string>, number]> = []
  const charCounts = new Map<string, number>()
  for (const [word, count] of wordCounts) {
    const chars = [...word]
    for (const c of chars) charCounts.set(c, (charCounts.get(c) ?? 0) + count)
    spelled.push([chars, count])
  }
  const alphabet = selectAlphabet(charCounts, { coverage, minCharCount })

  const tokens: Array<string> = []
  const ids = new Map<string, number>()
  const tokenCount: Array<number> = []
  const tokenPairs: Array<Array<number>> = []
  const add = (token: string): number => {
    let id = ids.get(token)
    if (id === undefined) {
      id = tokens.length
      tokens.push(token)
      ids.set(token, id)
      tokenCount.push(0)
      tokenPairs.push([])
    }
    return id
  }
  for (const t of TRAINED_SPECIAL_TOKENS) add(t)
  for (const c of alphabet.kept) add(c)
  for (const c of alphabet.kept) if (!isolated(c)) add(`##${c}`)
  if (tokens.length > size)
    return Either.left(
      new VocabSizeTooSmall({ size, needed: tokens.length, characters: alphabet.kept.length })
    )

  // the words, as token ids packed in one array: word w is symbols[offset[w] .. offset[w] + length[w])
  let uncovered = 0
  let uncoveredCount = 0
  let tooLong = 0
  const offset: Array<number> = []
  const length: Array<number> = []
  const weight: Array<number> = []
  const flat: Array<number> = []
  for (const [chars, count] of spelled) {
    if (chars.length > maxWordChars) {
      tooLong++
      continue
    }
    const start = flat.length
    let ok = true
    for (let i = 0; i < chars.length && ok; i++) {
      const id = ids.get(i === 0 ? chars[0]! : `##${chars[i]!}`)
      if (id === undefined) ok = false
      else flat.push(id)
    }
    if (!ok) {
      flat.length = start
      uncovered++
      uncoveredCount += count
      continue
    }
    offset.push(start)
    length.push(chars.length)
    weight.push(count)
  }
  const symbols = Int32Array.from(flat)

  const pairIds = new Map<number, number>()
  const pairLeft: Array<number> = []
  const pairRight: Array<number> = []
  const pairCount: Array<number> = []
  const pairWords: Array<Array<number>> = []
  const pairOf = (a: number, b: number): number => {
    const key = a * PAIR_BASE + b
    let p = pairIds.get(key)
    if (p === undefined) {
      p = pairLeft.length
      pairIds.set(key, p)
      pairLeft.push(a)
      pairRight.push(b)
      pairCount.push(0)
      pairWords.push([])
      tokenPairs[a]!.push(p)
      if (b !== a) tokenPairs[b]!.push(p)
    }
    return p
  }

  for (let w = 0; w < offset.length; w++) {
    const start = offset[w]!
    const end = start + length[w]!
    const n = weight[w]!
    for (let i = start; i < end; i++) tokenCount[symbols[i]!]! += n
    for (let i = start; i + 1 < end; i++) {
      const p = pairOf(symbols[i]!, symbols[i + 1]!)
      pairCount[p]! += n
      const list = pairWords[p]!
      if (list[list.length - 1] !== w) list.push(w)
    }
  }

  // The heap's keys, snapshot when a pair is (re)scored: the comparator must not read live counts,
  // which change for many pairs during a merge before each is re-sifted.
  const keyCount: Array<number> = []
  const keyLeft: Array<number> = []
  const keyRight: Array<number> = []
  const keyScore: Array<number> = []
  const rescore = (p: number) => {
    const count = pairCount[p]!
    const left = tokenCount[pairLeft[p]!]!
    const right = tokenCount[pairRight[p]!]!
    keyCount[p] = count
    keyLeft[p] = left
    keyRight[p] = right
    keyScore[p] = likelihood ? count / (left * right) : count
    heap.update(p)
  }
  // keyCount(p)·keyLeft(q)·keyRight(q) against keyCount(q)·keyLeft(p)·keyRight(p), exactly
  const compareScores = (p: number, q: number): number => {
    const l = keyCount[p]! * keyLeft[q]! * keyRight[q]!
    const r = keyCount[q]! * keyLeft[p]! * keyRight[p]!
    if (l <= Number.MAX_SAFE_INTEGER && r <= Number.MAX_SAFE_INTEGER) return Math.sign(l - r)
    const big = (x: number) => BigInt(x)
    const lb = big(keyCount[p]!) * big(keyLeft[q]!) * big(keyRight[q]!)
    const rb = big(keyCount[q]!) * big(keyLeft[p]!) * big(keyRight[p]!)
    return lb > rb ? 1 : lb < rb ? -1 : 0
  }
  const heap = new PairHeap((p, q) => {
    const sp = keyScore[p]!
    const sq = keyScore[q]!
    if (Math.abs(sp - sq) > 1e-9 * Math.max(sp, sq)) return sp > sq
    if (likelihood) {
      const exact = compareScores(p, q)
      if (exact !== 0) return exact > 0
    }
    if (keyCount[p] !== keyCount[q]) return keyCount[p]! > keyCount[q]!
    const lp = tokens[pairLeft[p]!]!
    const lq = tokens[pairLeft[q]!]!
    if (lp !== lq) return lp < lq
    return tokens[pairRight[p]!]! < tokens[pairRight[q]!]!
  })
  for (let p = 0; p < pairLeft.length; p++) if (pairCount[p]! >= minPairCount) rescore(p)

  const merges: Array<Merge> = []
  const wordStamp = new Int32Array(offset.length).fill(-1)
  const pairStamp: Array<number> = []
  const touched: Array<number> = []
  const oldPairs: Array<number> = []
  let step = 0
  const touch = (p: number) => {
    if (pairStamp[p] !== step) {
      pairStamp[p] = step
      touched.push(p)
    }
  }

  // rewrites word w with every (a, b) replaced by m, left to right; updates the counts it changes
  const mergeWord = (w: number, a: number, b: number, m: number) => {
    const start = offset[w]!
    const end = start + length[w]!
    let found = false
    for (let i = start; i + 1 < end && !found; i++) found = symbols[i] === a && symbols[i + 1] === b
    if (!found) return // a stale entry: the word lost the pair to an earlier merge
    const n = weight[w]!
    oldPairs.length = 0
    for (let i = start; i + 1 < end; i++) {
      const p = pairOf(symbols[i]!, symbols[i + 1]!)
      pairCount[p]! -= n
      touch(p)
      oldPairs.push(p)
    }
    let to = start
    let times = 0
    for (let i = start; i < end; ) {
      if (i + 1 < end && symbols[i] === a && symbols[i + 1] === b) {
        symbols[to++] = m
        i += 2
        times++
      } else symbols[to++] = symbols[i++]!
    }
    length[w] = to - start
    tokenCount[a]! -= times * n
    tokenCount[b]! -= times * n
    tokenCount[m]! += times * n
    for (let i = start; i + 1 < to; i++) {
      const p = pairOf(symbols[i]!, symbols[i + 1]!)
      pairCount[p]! += n
      touch(p)
      const list = pairWords[p]!
      if (!oldPairs.includes(p) && list[list.length - 1] !== w) list.push(w)
    }
  }

  while (tokens.length < size) {
    const p = heap.peek()
    if (p === undefined) break
    const a = pairLeft[p]!
    const b = pairRight[p]!
    const left = tokens[a]!
    const right = tokens[b]!
    // b is never a word start, so it always carries ##
    const token = left + right.slice(2)
    merges.push({ left, right, token, count: keyCount[p]!, score: keyScore[p]! })
    const m = add(token)
    touched.length = 0
    for (const w of pairWords[p]!) {
      if (wordStamp[w] === step) continue
      wordStamp[w] = step
      mergeWord(w, a, b, m)
    }
    pairWords[p] = []
    // count(a) and count(b) fell, so every pair holding them scores higher now; count(m) rose, which
    // lowers the scores of pairs holding m when the merge re-made a token already in the vocabulary
    if (likelihood) {
      for (const q of tokenPairs[a]!) touch(q)
      for (const q of tokenPairs[b]!) touch(q)
      for (const q of tokenPairs[m]!) touch(q)
    }
    for (const q of touched) {
      if (pairCount[q]! >= minPairCount) rescore(q)
      else heap.remove(q)
    }
    step++
    options.onToken?.(tokens.length, size)
  }

  return Either.right({
    tokens,
    alphabet,
    merges,
    words: { unique: wordCounts.size, uncovered, uncoveredCount, tooLong }
  })
}

/** A vocabulary (vocab.txt lines) trained on pre-tokenized sentences, each token counted once per occurrence. */
export const trainVocabularyOnTokens = (
  sentences: Iterable<ReadonlyArray<string>>,
  options: WordPieceTrainOptions
): Either.Either<ReadonlyArray<string>, VocabSizeTooSmall | InvalidVocabOption> => {
  const texts = function* () {
    for (const sentence of sentences) for (const token of sentence) yield [token, 1] as const
  }
  return Either.map(trainWordPiece(countWords(texts()), options), (trained) => trained.tokens)
}
