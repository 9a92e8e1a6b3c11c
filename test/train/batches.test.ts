import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { batchesPerEpoch, epochBatches, makeBatch } from "../../src/train/batches.js"
import type { TrainExample } from "../../src/train/examples.js"

const runs = Number(process.env.CONCNER_PROP_RUNS ?? 100)

/** An encoding whose every subword id is `marker`, `n` words long (ids identify the sentence). */
const encoding = (marker: number, n: number) => ({
  tokens: [],
  inputIds: [2, ...new Array<number>(n).fill(marker), 3],
  wordIds: [],
  labelPositions: [],
  labels: [-100, ...new Array<number>(n).fill(marker % 9), -100],
  words: n,
  keptWords: n,
  emptyWords: []
})

const examplesArb = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 })), {
    minLength: 1,
    maxLength: 40
  })
  .map(
    (lengths): Array<TrainExample> =>
      lengths.map(([s, t], i) => ({
        index: 1000 + i,
        source: encoding(10_000 + i, s),
        translation: encoding(20_000 + i, t)
      }))
  )

/** The marker id of row `r` (its first subword after [CLS]). */
const rowMarker = (batch: ReturnType<typeof makeBatch>, r: number) => batch.inputIds[r * batch.length + 1]!

describe("the paired batcher", () => {
  it("row i and row i+N are a sentence and its own translation; every example once per epoch", () =>
    fc.assert(
      fc.property(
        examplesArb,
        fc.integer({ min: 1, max: 9 }),
        fc.nat(),
        fc.nat({ max: 5 }),
        (examples, size, seed, epoch) => {
          const seen: Array<number> = []
          const batches = epochBatches(examples.length, size, seed, epoch)
          expect(batches).toHaveLength(batchesPerEpoch(examples.length, size))
          batches.forEach((indices, b) => {
            const batch = makeBatch(examples, indices, "paired", 0, { epoch, batch: b })
            const n = indices.length
            expect(batch.rows).toBe(2 * n)
            expect(batch.source).toEqual([0, n])
            expect(batch.translation).toEqual([n, 2 * n])
            for (let r = 0; r < n; r++) {
              const example = examples[indices[r]!]!
              expect(batch.indices[r]).toBe(example.index)
              expect(rowMarker(batch, r)).toBe(10_000 + (example.index - 1000))
              expect(rowMarker(batch, r + n)).toBe(20_000 + (example.index - 1000))
            }
            // dynamic padding: the longest row fits exactly, padding is masked and unlabeled
            const lengths = Array.from({ length: batch.rows }, (_, r) =>
              batch.attentionMask.slice(r * batch.length, (r + 1) * batch.length).reduce((a, m) => a + m, 0)
            )
            expect(Math.max(...lengths)).toBe(batch.length)
            batch.attentionMask.forEach((m, i) => {
              if (m === 0) expect(batch.labels[i]).toBe(-100)
            })
            seen.push(...batch.indices)
          })
          expect([...seen].sort((a, b) => a - b)).toEqual(examples.map((e) => e.index))
        }
      ),
      { numRuns: runs, seed: 42 }
    ))

  it("the order is a function of (seed, epoch) alone and changes between epochs", () => {
    expect(epochBatches(50, 8, 3, 1)).toEqual(epochBatches(50, 8, 3, 1))
    expect(epochBatches(50, 8, 3, 1)).not.toEqual(epochBatches(50, 8, 3, 2))
  })
})
