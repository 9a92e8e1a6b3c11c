import { basicTokenize } from "./basic.js"

/**
 * The words of the basic tokenizer (HF BasicTokenizer, cased) in `texts`, with counts: each text
 * (a CoNLL token, or a raw sentence) counts `weight` times. A text is tokenized once however often
 * it repeats, since corpora repeat their tokens (Zipf).
 */
export const countWords = (texts: Iterable<readonly [text: string, weight: number]>): Map<string, number> => {
  const unique = new Map<string, number>()
  for (const [text, weight] of texts) unique.set(text, (unique.get(text) ?? 0) + weight)
  const words = new Map<string, number>()
  for (const [text, weight] of unique)
    for (const token of basicTokenize(text)) words.set(token.text, (words.get(token.text) ?? 0) + weight)
  return words
}
