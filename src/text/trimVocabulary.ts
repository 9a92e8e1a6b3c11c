import { Either } from "effect"
import { BertTokenizer } from "./bertTokenizer.js"
import { SPECIAL_TOKENS, Vocab } from "./vocab.js"

export interface TrimmedVocabulary {
  /** the smaller vocabulary: the kept tokens in their old order (so [PAD] keeps id 0 in mBERT) */
  readonly vocab: Vocab
  /** old id → new id, −1 for a dropped token */
  readonly oldToNew: Int32Array
  /** new id → old id, ascending: the rows of the word-embedding matrix to keep */
  readonly keptOldIds: Int32Array
}

export interface TrimOptions {
  /**
   * Also keep every single-character token (`x` and `##x`), so text outside the corpora still splits
   * into characters rather than becoming `[UNK]`. Off by default: on mBERT it keeps ~10k extra rows
   * (CJK alone), and text outside the corpora is tokenized differently from the full vocabulary anyway.
   */
  readonly keepSingleCharacters?: boolean
}

/**
 * Shrinks a vocabulary to what the given corpora (sentences as word lists) use: the special tokens
 * present, every subword the tokenizer produces on their words, and the pieces of words WordPiece gave
 * up on (so those stay `[UNK]`). Greedy longest match picks, at each position, the longest piece the
 * full vocabulary has; that piece is kept and nothing longer is in the trimmed vocabulary, so on these
 * corpora the trimmed vocabulary yields exactly the same subwords. Include every split you will encode
 * (train, dev, test, translations): other text may tokenize differently.
 */
export const trimVocabulary = (
  vocab: Vocab,
  corpora: Iterable<Iterable<ReadonlyArray<string>>>,
  options: TrimOptions = {}
): TrimmedVocabulary => {
  const tokenizer = new BertTokenizer(vocab)
  const kept = new Set<number>()
  for (const special of SPECIAL_TOKENS) {
    const id = vocab.id(special)
    if (id !== undefined) kept.add(id)
  }
  const seen = new Set<string>() // corpora repeat words: tokenize each once
  for (const corpus of corpora)
    for (const words of corpus)
      for (const word of words)
        if (!seen.has(word)) {
          seen.add(word)
          tokenizer.collectIds(word, kept)
        }
  if (options.keepSingleCharacters === true)
    vocab.tokens.forEach((token, id) => {
      const chars = [...(token.startsWith("##") ? token.slice(2) : token)].length
      if (chars === 1 && vocab.id(token) === id) kept.add(id)
    })
  const keptOldIds = Int32Array.from([...kept].sort((a, b) => a - b))
  const oldToNew = new Int32Array(vocab.size).fill(-1)
  keptOldIds.forEach((old, i) => {
    oldToNew[old] = i
  })
  // the kept tokens are distinct, free of line breaks and include the required specials: make cannot fail
  const trimmed = Either.getOrThrow(
    Vocab.make(
      Array.from(keptOldIds, (id) => vocab.tokens[id]!),
      `${vocab.source} (trimmed)`
    )
  )
  return { vocab: trimmed, oldToNew, keptOldIds }
}
