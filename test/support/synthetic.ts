/** Synthetic training examples for the loop's unit tests: no data folder, a 40-word vocabulary. */
import { conllTypes, labelSet } from "../../src/data/labels.js"
import type { TrainExample } from "../../src/train/examples.js"

export const syntheticLabels = labelSet(conllTypes)

/** A sentence of `n` words, one subword each, ids and labels drawn from `i`. */
const encoding = (i: number, n: number) => {
  const inputIds = [2, ...Array.from({ length: n }, (_, k) => 5 + ((i * 7 + k) % 30)), 3]
  return {
    tokens: inputIds.map(String),
    inputIds,
    wordIds: [-1, ...Array.from({ length: n }, (_, k) => k), -1],
    labelPositions: Array.from({ length: n }, (_, k) => k + 1),
    labels: [-100, ...Array.from({ length: n }, (_, k) => (i + k) % syntheticLabels.tags.length), -100],
    words: n,
    keptWords: n,
    emptyWords: []
  }
}

/** Six sentence pairs (source and translation), ids in 5..34. */
export const syntheticExamples: Array<TrainExample> = Array.from({ length: 6 }, (_, i) => ({
  index: 100 + i,
  source: encoding(i, 3 + (i % 3)),
  translation: encoding(i + 50, 2 + (i % 4))
}))
