/**
 * Entity scores as conlleval reports them: percentages 0–100 at full double precision (rounding
 * happens only in the text report), counts as integers, and 0 wherever a denominator is 0.
 */
import { Schema } from "effect"

/** Precision, recall and F1 (percent) with the counts they come from. */
export const ChunkScore = Schema.Struct({
  precision: Schema.Number,
  recall: Schema.Number,
  f1: Schema.Number,
  correct: Schema.Int,
  gold: Schema.Int,
  predicted: Schema.Int
})
export type ChunkScore = typeof ChunkScore.Type

/** Overall and per-type chunk scores plus token accuracy (percent) over `tokens` tokens. */
export const EntityScores = Schema.Struct({
  overall: ChunkScore,
  types: Schema.Record({ key: Schema.String, value: ChunkScore }),
  accuracy: Schema.Number,
  tokens: Schema.Int
})
export type EntityScores = typeof EntityScores.Type

export interface ChunkCounts {
  readonly correct: number
  readonly gold: number
  readonly predicted: number
}

/** Mutable per-type chunk counts, created on first use: the scorers' tally. */
export const chunkTally = () => {
  const perType = new Map<string, { correct: number; gold: number; predicted: number }>()
  const countsOf = (type: string) => {
    let counts = perType.get(type)
    if (counts === undefined) {
      counts = { correct: 0, gold: 0, predicted: 0 }
      perType.set(type, counts)
    }
    return counts
  }
  return { perType, countsOf }
}

/** conlleval's formulas, in its evaluation order (`100*c/n`, then `2*p*r/(p+r)`), so doubles match. */
export const chunkScore = ({ correct, gold, predicted }: ChunkCounts): ChunkScore => {
  const precision = predicted > 0 ? (100 * correct) / predicted : 0
  const recall = gold > 0 ? (100 * correct) / gold : 0
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0
  return { precision, recall, f1, correct, gold, predicted }
}

/**
 * conlleval.pl sorts type names with Perl's default `sort` on the undecoded input, i.e. by UTF-8
 * bytes; JavaScript's default sort compares UTF-16 units, which orders some non-BMP names differently.
 */
export const byUtf8 = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b))

/** Assembles scores from per-type counts; types come out in conlleval's order. */
export const entityScores = (
  perType: ReadonlyMap<string, ChunkCounts>,
  correctTags: number,
  tokens: number
): EntityScores => {
  const total = { correct: 0, gold: 0, predicted: 0 }
  for (const counts of perType.values()) {
    total.correct += counts.correct
    total.gold += counts.gold
    total.predicted += counts.predicted
  }
  const names = [...perType.keys()].sort(byUtf8)
  return {
    overall: chunkScore(total),
    types: Object.fromEntries(names.map((name) => [name, chunkScore(perType.get(name)!)])),
    accuracy: tokens > 0 ? (100 * correctTags) / tokens : 0,
    tokens
  }
}
