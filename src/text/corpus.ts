import { Either } from "effect"
import type { SubwordTokenizer } from "./Tokenizer.js"
import type { WordEncoding } from "./encoding.js"
import { TagCountMismatch, UnknownTag } from "./errors.js"
import { TruncationReport } from "./truncation.js"

/** What `encodeCorpus` needs of a sentence (the data stage's sentences have this shape). */
export interface TaggedWords {
  readonly tokens: ReadonlyArray<string>
  readonly tags: ReadonlyArray<string>
  /** 1-based line in its file, for messages */
  readonly line?: number
}

export interface EncodedCorpus {
  readonly encodings: ReadonlyArray<WordEncoding>
  readonly report: TruncationReport
}

/**
 * Encodes IOB2-tagged sentences for training: tags become label ids through `labelIds`, each sentence
 * is truncated to `maxLength` subwords, and what truncation cost is reported. A tag outside the label
 * set, or a sentence whose tag count differs from its word count, fails with the sentence's line.
 */
export const encodeCorpus = (
  tokenizer: SubwordTokenizer,
  sentences: Iterable<TaggedWords>,
  labelIds: ReadonlyMap<string, number>,
  maxLength = 128
): Either.Either<EncodedCorpus, UnknownTag | TagCountMismatch> => {
  const encodings: Array<WordEncoding> = []
  let report = TruncationReport.empty(maxLength)
  for (const sentence of sentences) {
    const line = sentence.line ?? 0
    if (sentence.tags.length !== sentence.tokens.length)
      return Either.left(
        new TagCountMismatch({ line, words: sentence.tokens.length, tags: sentence.tags.length })
      )
    const labels: Array<number> = []
    for (let i = 0; i < sentence.tags.length; i++) {
      const tag = sentence.tags[i]!
      const id = labelIds.get(tag)
      if (id === undefined) return Either.left(new UnknownTag({ line, word: sentence.tokens[i]!, tag }))
      labels.push(id)
    }
    const encoding = tokenizer.encodeWords(sentence.tokens, labels, maxLength)
    encodings.push(encoding)
    report = report.add(encoding, sentence.tags)
  }
  return Either.right({ encodings, report })
}
