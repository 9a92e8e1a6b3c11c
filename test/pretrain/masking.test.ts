import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { IGNORE_INDEX } from "../../src/data/labels.js"
import { type Corruption, type MaskingOptions, maskSequence } from "../../src/pretrain/masking.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)
const seed = 20261126

// ids as in a trained vocabulary: [PAD] 0, [UNK] 1, [CLS] 2, [SEP] 3, [MASK] 4
const PAD = 0
const CLS = 2
const SEP = 3
const MASK = 4
const options = (wholeWord: boolean): MaskingOptions => ({
  probability: 0.15,
  maskId: MASK,
  vocabSize: 1000,
  specialIds: new Set([0, 1, 2, 3, 4]),
  wholeWord
})

/** `[CLS] words [SEP] [PAD]…` with word ids (a word is 1–3 subwords), as a batch row holds it. */
const sequenceOf = (minWords: number) =>
  fc
    .record({
      words: fc.array(fc.array(fc.integer({ min: 5, max: 999 }), { minLength: 1, maxLength: 3 }), {
        minLength: minWords,
        maxLength: 60,
        size: "max"
      }),
      padding: fc.integer({ min: 0, max: 10 }),
      seed: fc.string()
    })
    .map(({ words, padding, seed }) => ({
      inputIds: [CLS, ...words.flat(), SEP, ...new Array<number>(padding).fill(PAD)],
      wordIds: [-1, ...words.flatMap((w, i) => w.map(() => i)), -1, ...new Array<number>(padding).fill(-1)],
      seed
    }))
const sequence = sequenceOf(1)

describe("maskSequence", () => {
  for (const wholeWord of [false, true])
    it.prop(
      `never touches [CLS], [SEP] or padding; labels are the originals at predicted positions (wholeWord ${wholeWord})`,
      [sequence],
      ([s]) => {
        const m = maskSequence(s.inputIds, s.wordIds, options(wholeWord), s.seed)
        s.inputIds.forEach((id, i) => {
          if (id === CLS || id === SEP || id === PAD) {
            expect(m.inputIds[i]).toBe(id)
            expect(m.labels[i]).toBe(IGNORE_INDEX)
          } else if (m.labels[i] !== IGNORE_INDEX) expect(m.labels[i]).toBe(id)
          else expect(m.inputIds[i]).toBe(id)
        })
        const predicted = m.labels.filter((y) => y !== IGNORE_INDEX).length
        const maskable = s.inputIds.filter((id) => id > MASK).length
        if (!wholeWord) expect(predicted).toBe(Math.max(1, Math.round(0.15 * maskable)))
        else expect(predicted).toBeGreaterThanOrEqual(1)
        expect(maskSequence(s.inputIds, s.wordIds, options(wholeWord), s.seed)).toStrictEqual(m)
      },
      { fastCheck: { numRuns, seed } }
    )

  it.prop(
    "whole-word masking predicts all subwords of a word or none, about 15 % of positions",
    [sequence],
    ([s]) => {
      const m = maskSequence(s.inputIds, s.wordIds, options(true), s.seed)
      const byWord = new Map<number, Set<boolean>>()
      s.wordIds.forEach((w, i) => {
        if (w >= 0) byWord.set(w, (byWord.get(w) ?? new Set()).add(m.labels[i] !== IGNORE_INDEX))
      })
      for (const states of byWord.values()) expect(states.size).toBe(1)
      const maskable = s.inputIds.filter((id) => id > MASK).length
      const predicted = m.labels.filter((y) => y !== IGNORE_INDEX).length
      // words are taken while they fit the budget; the first word may overshoot it by its own length (≤ 3)
      expect(predicted).toBeLessThanOrEqual(Math.max(3, Math.round(0.15 * maskable)))
    },
    { fastCheck: { numRuns, seed } }
  )

  it("keeps the 80/10/10 mask/random/keep split and 15 % of positions over a large sample", () => {
    const counts: Record<Corruption, number> = { mask: 0, random: 0, keep: 0 }
    let positions = 0
    let predicted = 0
    let n = 0
    fc.assert(
      fc.property(sequenceOf(1), (s) => {
        // generated seeds repeat (""), and a repeated seed repeats its draws: one seed per sample here
        const unique = `sample ${n++}`
        for (const wholeWord of [false, true]) {
          const m = maskSequence(s.inputIds, s.wordIds, options(wholeWord), unique)
          for (const c of m.corruptions) counts[c]++
          m.labels.forEach((y, i) => {
            if (y === IGNORE_INDEX) return
            // the corruption is visible in the input: [MASK], another token, or the same one
            if (m.inputIds[i] === MASK) return
            if (m.inputIds[i] === y) return
            expect(m.inputIds[i]).toBeGreaterThan(MASK) // random replacements are never special
          })
          const maskable = s.inputIds.filter((id) => id > MASK).length
          // short sequences round (and floor at one prediction) far from 15 %: count the long ones
          if (wholeWord || maskable < 40) continue
          positions += maskable
          predicted += m.corruptions.length
        }
      }),
      { numRuns: 6000, seed }
    )
    const total = counts.mask + counts.random + counts.keep
    expect(total).toBeGreaterThan(20_000)
    expect(Math.abs(counts.mask / total - 0.8)).toBeLessThan(0.015)
    expect(Math.abs(counts.random / total - 0.1)).toBeLessThan(0.01)
    expect(Math.abs(counts.keep / total - 0.1)).toBeLessThan(0.01)
    expect(positions).toBeGreaterThan(50_000)
    // per-sequence rounding moves a sequence of 40+ positions by at most 0.5/40
    expect(Math.abs(predicted / positions - 0.15)).toBeLessThan(0.005)
  })
})
