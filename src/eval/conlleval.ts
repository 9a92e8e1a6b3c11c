/**
 * A line-by-line port of conlleval.pl (CoNLL-2000 shared task, version 2004-01-26, Erik Tjong Kim
 * Sang), the scorer whose numbers NER papers report. Hand-written because no npm package reproduces
 * it exactly: seqeval-style scorers disagree on IOB1 input and invalid transitions.
 *
 * What it implies, faithfully kept:
 * - A tag is split at its first `-` into a prefix and a type; a type of "0" is read as "" (Perl truthiness).
 * - Chunks start and end by the `startOfChunk`/`endOfChunk` rules below, which read IOB1, IOB2 and
 *   IOE tags (`B`, `I`, `E`, `O`) and the bracket tags `[`/`]`; `S-` is not special, so consecutive
 *   `S-PER S-PER` form one chunk (use strict `iobes` mode to read IOBES properly).
 * - A chunk counts as correct when gold and prediction start it on the same token with the same
 *   type and end it on the same token with the same type (the `inCorrect` state machine).
 * - A blank or `-X-` line is a boundary with tags `O O`, not a token. A `-DOCSTART-` line is an
 *   ordinary token (its `O O` tags end chunks and count towards token accuracy).
 */
import type { ChunkCounts, EntityScores } from "./scores.js"
import { chunkTally, entityScores } from "./scores.js"

/** The gold and predicted tag of one token. */
export interface EvalToken {
  readonly gold: string
  readonly predicted: string
}

const splitTag = (tag: string): readonly [prefix: string, type: string] => {
  const dash = tag.indexOf("-")
  if (dash < 0) return [tag, ""]
  const type = tag.slice(dash + 1)
  return [tag.slice(0, dash), type === "0" ? "" : type]
}

/** conlleval's `endOfChunk`: did a chunk end between the previous and the current token? */
export const endOfChunk = (prevTag: string, tag: string, prevType: string, type: string): boolean =>
  (prevTag === "B" && (tag === "B" || tag === "O")) ||
  (prevTag === "I" && (tag === "B" || tag === "O")) ||
  (prevTag === "E" && (tag === "E" || tag === "I" || tag === "O")) ||
  (prevTag !== "O" && prevTag !== "." && prevType !== type) ||
  prevTag === "]" ||
  prevTag === "["

/** conlleval's `startOfChunk`: did a chunk start between the previous and the current token? */
export const startOfChunk = (prevTag: string, tag: string, prevType: string, type: string): boolean =>
  ((prevTag === "B" || prevTag === "I" || prevTag === "O") && tag === "B") ||
  (prevTag === "O" && (tag === "I" || tag === "E")) ||
  (prevTag === "E" && (tag === "E" || tag === "I")) ||
  (tag !== "O" && tag !== "." && prevType !== type) ||
  tag === "[" ||
  tag === "]"

const boundary: EvalToken = { gold: "O", predicted: "O" }

/**
 * Scores sentences exactly as conlleval.pl scores them written one token per line with a blank line
 * between sentences. `finalBoundary` says whether a blank line also follows the last sentence: with
 * exotic tags a chunk can stay open across a boundary, and then conlleval's result depends on it.
 */
export const scoreConlleval = (
  sentences: Iterable<ReadonlyArray<EvalToken>>,
  finalBoundary = true
): EntityScores => {
  const { perType, countsOf } = chunkTally()
  let correctTags = 0
  let tokens = 0
  let inCorrect = false
  let lastCorrect = "O"
  let lastCorrectType = ""
  let lastGuessed = "O"
  let lastGuessedType = ""

  const step = (token: EvalToken, isBoundary: boolean) => {
    const [guessed, guessedType] = splitTag(token.predicted)
    const [correct, correctType] = splitTag(token.gold)
    const goldEnds = endOfChunk(lastCorrect, correct, lastCorrectType, correctType)
    const guessEnds = endOfChunk(lastGuessed, guessed, lastGuessedType, guessedType)
    if (inCorrect) {
      if (goldEnds && guessEnds && lastGuessedType === lastCorrectType) {
        inCorrect = false
        countsOf(lastCorrectType).correct++
      } else if (goldEnds !== guessEnds || guessedType !== correctType) {
        inCorrect = false
      }
    }
    const goldStarts = startOfChunk(lastCorrect, correct, lastCorrectType, correctType)
    const guessStarts = startOfChunk(lastGuessed, guessed, lastGuessedType, guessedType)
    if (goldStarts && guessStarts && guessedType === correctType) inCorrect = true
    if (goldStarts) countsOf(correctType).gold++
    if (guessStarts) countsOf(guessedType).predicted++
    if (!isBoundary) {
      if (correct === guessed && guessedType === correctType) correctTags++
      tokens++
    }
    lastGuessed = guessed
    lastCorrect = correct
    lastGuessedType = guessedType
    lastCorrectType = correctType
  }

  let first = true
  for (const sentence of sentences) {
    if (!first) step(boundary, true)
    first = false
    for (const token of sentence) step(token, false)
  }
  if (!first && finalBoundary) step(boundary, true)
  if (inCorrect) countsOf(lastCorrectType).correct++
  return entityScores(perType as ReadonlyMap<string, ChunkCounts>, correctTags, tokens)
}
