/**
 * Strict scoring: tags are read in a declared scheme, converted to IOB2 and compared as span sets,
 * so an entity is correct exactly when gold has one with the same type, start and end. Unlike
 * conlleval's mode this reads IOBES `S-X S-X` as two entities and rejects tags the scheme lacks.
 */
import { Effect, Either } from "effect"
import { ConllTagError } from "../data/errors.js"
import type { Span, TagScheme } from "../data/scheme.js"
import { parseTag, parseTagIn, spansOf, toIob2 } from "../data/scheme.js"
import type { EvalRow } from "./input.js"
import type { EntityScores } from "./scores.js"
import { chunkTally, entityScores } from "./scores.js"

const spanKey = ({ type, start, end }: Span) => `${start}:${end}:${type}`

/**
 * Scores parallel sentences of IOB2 tags (gold and predicted sentences must have equal lengths;
 * anything else is a bug and throws). Token accuracy compares the tag strings.
 */
export const scoreSpans = (
  gold: ReadonlyArray<ReadonlyArray<string>>,
  predicted: ReadonlyArray<ReadonlyArray<string>>
): EntityScores => {
  if (gold.length !== predicted.length) {
    throw new RangeError(`${gold.length} gold sentences but ${predicted.length} predicted`)
  }
  const { perType, countsOf } = chunkTally()
  let correctTags = 0
  let tokens = 0
  for (const [i, goldTags] of gold.entries()) {
    const predictedTags = predicted[i]!
    if (goldTags.length !== predictedTags.length) {
      throw new RangeError(
        `sentence ${i}: ${goldTags.length} gold tags but ${predictedTags.length} predicted`
      )
    }
    const goldSpans = new Set<string>()
    for (const span of spansOf(goldTags)) {
      goldSpans.add(spanKey(span))
      countsOf(span.type).gold++
    }
    for (const span of spansOf(predictedTags)) {
      const counts = countsOf(span.type)
      counts.predicted++
      if (goldSpans.has(spanKey(span))) counts.correct++
    }
    for (const [j, tag] of goldTags.entries()) if (tag === predictedTags[j]) correctTags++
    tokens += goldTags.length
  }
  return entityScores(perType, correctTags, tokens)
}

/**
 * Checks that every tag is a tag in some scheme (`O`, or `B-`/`I-`/`E-`/`S-` and a type): conlleval.pl
 * scores `X-PER` or `B-` as chunks without a word, which hides a broken prediction file.
 */
export const checkTags = Effect.fn("Eval.checkTags")(function* (
  sentences: ReadonlyArray<ReadonlyArray<EvalRow>>,
  file: string
) {
  for (const row of sentences.flat()) {
    for (const tag of [row.gold, row.predicted]) {
      const parsed = parseTag(tag)
      if (Either.isLeft(parsed))
        return yield* new ConllTagError({
          file,
          line: row.line,
          text: tag,
          reason: `${parsed.left.reason} (a tag in no scheme; --lenient scores it as conlleval.pl does)`
        })
    }
  }
})

/**
 * Reads conlleval input in `scheme`, converts gold and prediction to IOB2 with `toIob2` and scores
 * span sets. A tag the scheme does not have fails with its file and line. Token accuracy compares
 * the tags as written.
 */
export const scoreStrict = Effect.fn("Eval.scoreStrict")(function* (
  sentences: ReadonlyArray<ReadonlyArray<EvalRow>>,
  scheme: TagScheme,
  file: string
) {
  for (const row of sentences.flat()) {
    for (const tag of [row.gold, row.predicted]) {
      const parsed = parseTagIn(tag, scheme)
      if (Either.isLeft(parsed)) {
        return yield* new ConllTagError({ file, line: row.line, text: tag, reason: parsed.left.reason })
      }
    }
  }
  const scores = scoreSpans(
    sentences.map((s) =>
      toIob2(
        s.map((row) => row.gold),
        scheme
      )
    ),
    sentences.map((s) =>
      toIob2(
        s.map((row) => row.predicted),
        scheme
      )
    )
  )
  const correctTags = sentences.flat().filter((row) => row.gold === row.predicted).length
  return { ...scores, accuracy: scores.tokens > 0 ? (100 * correctTags) / scores.tokens : 0 }
})
