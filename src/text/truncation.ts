import { Schema } from "effect"
import type { WordEncoding } from "./encoding.js"

const Count = Schema.Int.pipe(Schema.nonNegative())

/** An entity of IOB2 tags: `[start, end)` word indices. */
interface Entity {
  readonly start: number
  readonly end: number
}

/**
 * IOB2 entities as conlleval reads them: `B-X` starts one, and so does an `I-X` that does not continue
 * an entity of type X (so slightly malformed IOB2 still counts every entity once).
 */
export const iob2Entities = (tags: ReadonlyArray<string>): Array<Entity> => {
  const entities: Array<Entity> = []
  let open: { start: number; type: string } | undefined
  const close = (end: number) => {
    if (open !== undefined) entities.push({ start: open.start, end })
    open = undefined
  }
  tags.forEach((tag, i) => {
    const type = tag.slice(2)
    if (tag.startsWith("B-") || (tag.startsWith("I-") && open?.type !== type)) {
      close(i)
      open = { start: i, type }
    } else if (!tag.startsWith("I-")) close(i)
  })
  close(tags.length)
  return entities
}

/**
 * What truncation to `maxLength` subwords cost over a corpus; accumulated sentence by sentence with
 * `add`, returned (never thrown) next to the encodings. An entity is *lost* when its first word was
 * cut (it can no longer be predicted at all), *clipped* when it starts before the cut and ends after.
 */
export class TruncationReport extends Schema.Class<TruncationReport>("TruncationReport")({
  maxLength: Schema.Int,
  sentences: Count,
  truncatedSentences: Count,
  words: Count,
  wordsCut: Count,
  /** kept words that yielded no subword and became [UNK] */
  emptyWords: Count,
  entities: Count,
  entitiesLost: Count,
  entitiesClipped: Count
}) {
  static empty(maxLength: number): TruncationReport {
    return new TruncationReport({
      maxLength,
      sentences: 0,
      truncatedSentences: 0,
      words: 0,
      wordsCut: 0,
      emptyWords: 0,
      entities: 0,
      entitiesLost: 0,
      entitiesClipped: 0
    })
  }

  /** This report plus one encoded sentence with its IOB2 tags. */
  add(encoding: WordEncoding, tags: ReadonlyArray<string>): TruncationReport {
    const kept = encoding.keptWords
    const entities = iob2Entities(tags)
    return new TruncationReport(
      {
        maxLength: this.maxLength,
        sentences: this.sentences + 1,
        truncatedSentences: this.truncatedSentences + (kept < encoding.words ? 1 : 0),
        words: this.words + encoding.words,
        wordsCut: this.wordsCut + encoding.words - kept,
        emptyWords: this.emptyWords + encoding.emptyWords.length,
        entities: this.entities + entities.length,
        entitiesLost: this.entitiesLost + entities.filter((e) => e.start >= kept).length,
        entitiesClipped: this.entitiesClipped + entities.filter((e) => e.start < kept && e.end > kept).length
      },
      true // counts built from valid counts: skip re-validation per sentence
    )
  }
}
