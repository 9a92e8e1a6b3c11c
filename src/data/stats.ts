/** Counts over decoded sentences: the numbers `concner data stats` prints. */
import type { Sentence } from "./conll.js"
import { spansOf } from "./scheme.js"

export interface SentenceCounts {
  readonly sentences: number
  readonly tokens: number
  /** Entities opened by a `B-` tag (the data README's count). */
  readonly entities: number
  /** `entities` per type: PER, LOC, ORG, MISC first, then other types alphabetically. */
  readonly byType: Readonly<Record<string, number>>
  /**
   * `I-` tags that start a chunk (invalid IOB2). conlleval and seqeval count each as one more
   * entity, so their entity count is `entities + invalidI`.
   */
  readonly invalidI: number
}

const typeOrder = ["PER", "LOC", "ORG", "MISC"]

const rank = (type: string) => {
  const i = typeOrder.indexOf(type)
  return i === -1 ? typeOrder.length : i
}

/** Entity types in display order. */
export const orderTypes = (types: Iterable<string>): Array<string> =>
  [...types].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))

export const countSentences = (sentences: ReadonlyArray<Sentence>): SentenceCounts => {
  const counts = new Map<string, number>()
  let tokens = 0
  let entities = 0
  let invalidI = 0
  for (const s of sentences) {
    tokens += s.tokens.length
    for (const span of spansOf(s.tags)) {
      if (s.tags[span.start]!.startsWith("I-")) {
        invalidI++
        continue
      }
      entities++
      counts.set(span.type, (counts.get(span.type) ?? 0) + 1)
    }
  }
  const byType = Object.fromEntries(orderTypes(counts.keys()).map((t) => [t, counts.get(t)!]))
  return { sentences: sentences.length, tokens, entities, byType, invalidI }
}

/** The multiset of entity types of a tag sequence, as a canonical key (`LOC,PER,PER`). */
export const typeMultiset = (iob2Tags: ReadonlyArray<string>): string =>
  spansOf(iob2Tags)
    .map((s) => s.type)
    .sort()
    .join(",")
