/**
 * Pretraining examples and how batches are drawn from them. An MLM example is one sentence
 * (`[CLS] words [SEP]`); a TLM example (XLM's translation language modelling) is an English
 * sentence and its translation, `[CLS] en [SEP] tgt [SEP]` with token types 0 then 1, masked on both
 * sides so a masked word can be recovered from the other language. Examples are grouped (MLM by
 * language, TLM by language pair) and groups are drawn with XLM's exponent-smoothed shares; every
 * draw is a function of `(seed, step, row)`, so a resumed run sees exactly the batches it would have.
 */
import { hashSeed, mulberry32 } from "../data/sampling.js"
import type { BertTokenizer } from "../text/bertTokenizer.js"
import { smoothedDraws } from "../text/vocabCorpus.js"
import { type MaskingOptions, maskSequence } from "./masking.js"

/**
 * Typed arrays, not number arrays: a run holds about a million examples for hours, and V8 scans a
 * number array's elements on every major GC but never a typed array's.
 */
export interface PretrainExample {
  readonly inputIds: Int32Array
  readonly tokenTypeIds: Int32Array
  /** Word index per position (−1 for specials); TLM target words continue after the English ones. */
  readonly wordIds: Int32Array
}

export interface ExampleGroup {
  /** A language (`de`) for MLM, a pair (`en-de`) for TLM. */
  readonly name: string
  readonly kind: "mlm" | "tlm"
  readonly examples: ReadonlyArray<PretrainExample>
}

/** One sentence as an MLM example, cut to `maxLength` subwords (whole words). */
export const mlmExample = (
  tokenizer: BertTokenizer,
  words: ReadonlyArray<string>,
  maxLength: number
): PretrainExample => {
  const e = tokenizer.encodeWords(words, undefined, maxLength)
  return {
    inputIds: Int32Array.from(e.inputIds),
    tokenTypeIds: new Int32Array(e.inputIds.length),
    wordIds: Int32Array.from(e.wordIds)
  }
}

/**
 * `[CLS] en [SEP] tgt [SEP]` within `maxLength`: English gets up to half, the translation the rest
 * (whole words on both sides).
 */
export const tlmExample = (
  tokenizer: BertTokenizer,
  english: ReadonlyArray<string>,
  target: ReadonlyArray<string>,
  maxLength: number
): PretrainExample => {
  const en = tokenizer.encodeWords(english, undefined, Math.max(2, Math.floor(maxLength / 2)))
  // the target's own [CLS] is dropped, so it may use one more position than its share
  const tgt = tokenizer.encodeWords(target, undefined, Math.max(2, maxLength - en.inputIds.length + 1))
  const offset = en.keptWords
  return {
    inputIds: Int32Array.from([...en.inputIds, ...tgt.inputIds.slice(1)]),
    tokenTypeIds: Int32Array.from([...en.inputIds.map(() => 0), ...tgt.inputIds.slice(1).map(() => 1)]),
    wordIds: Int32Array.from([...en.wordIds, ...tgt.wordIds.slice(1).map((w) => (w < 0 ? w : w + offset))])
  }
}

/** Each group's probability of being drawn: XLM's q_i ∝ (n_i / N)^α. */
export const groupShares = (groups: ReadonlyArray<ExampleGroup>, alpha: number): Array<number> => {
  const draws = smoothedDraws(
    groups.map((g) => g.examples.length),
    alpha
  )
  const total = draws.reduce((a, b) => a + b, 0)
  return draws.map((d) => (total === 0 ? 0 : d / total))
}

/** A padded, masked batch, row-major `(rows, length)`. */
export interface MlmBatch {
  readonly rows: number
  readonly length: number
  readonly inputIds: Int32Array
  readonly tokenTypeIds: Int32Array
  readonly attentionMask: Int32Array
  /** Flat `row·length + position` of the predicted positions, and their original ids. */
  readonly positions: Int32Array
  readonly labels: Int32Array
  /** The group each row came from. */
  readonly groups: ReadonlyArray<string>
}

/** Pads and stacks masked rows into a batch. */
export const stackBatch = (
  rows: ReadonlyArray<{
    readonly example: PretrainExample
    readonly labels: ReadonlyArray<number>
    readonly inputIds: ReadonlyArray<number>
    readonly group: string
  }>,
  padId: number
): MlmBatch => {
  const length = Math.max(...rows.map((r) => r.inputIds.length))
  const n = rows.length * length
  const inputIds = new Int32Array(n).fill(padId)
  const tokenTypeIds = new Int32Array(n)
  const attentionMask = new Int32Array(n)
  const positions: Array<number> = []
  const labels: Array<number> = []
  rows.forEach((r, row) => {
    r.inputIds.forEach((id, t) => {
      const at = row * length + t
      inputIds[at] = id
      tokenTypeIds[at] = r.example.tokenTypeIds[t]!
      attentionMask[at] = 1
      const y = r.labels[t]!
      if (y >= 0) {
        positions.push(at)
        labels.push(y)
      }
    })
  })
  return {
    rows: rows.length,
    length,
    inputIds,
    tokenTypeIds,
    attentionMask,
    positions: Int32Array.from(positions),
    labels: Int32Array.from(labels),
    groups: rows.map((r) => r.group)
  }
}

/**
 * Several examples of one group as one sequence, `[CLS] a [SEP] b [SEP] …` (RoBERTa's
 * FULL-SENTENCES packing: short sentences would otherwise leave most of a padded batch empty).
 * Word ids stay distinct across the parts, so whole-word masking still sees words.
 */
export const packExamples = (parts: ReadonlyArray<PretrainExample>): PretrainExample => {
  const inputIds: Array<number> = []
  const tokenTypeIds: Array<number> = []
  const wordIds: Array<number> = []
  let offset = 0
  parts.forEach((part, i) => {
    const from = i === 0 ? 0 : 1 // each continuation drops its own [CLS]
    let last = -1
    for (let t = from; t < part.inputIds.length; t++) {
      const w = part.wordIds[t]!
      inputIds.push(part.inputIds[t]!)
      tokenTypeIds.push(part.tokenTypeIds[t]!)
      wordIds.push(w < 0 ? w : w + offset)
      last = Math.max(last, w)
    }
    offset += last + 1
  })
  return {
    inputIds: Int32Array.from(inputIds),
    tokenTypeIds: Int32Array.from(tokenTypeIds),
    wordIds: Int32Array.from(wordIds)
  }
}

/** The index whose cumulative share first exceeds `r` ∈ [0, 1) (the last one absorbs rounding). */
const pickShare = (shares: ReadonlyArray<number>, r: number): number => {
  let acc = 0
  for (let g = 0; g < shares.length - 1; g++) {
    acc += shares[g]!
    if (r < acc) return g
  }
  return shares.length - 1
}

/**
 * The batch of `step`: each row draws a group by its share, then an example uniformly, and is
 * masked afresh (dynamic masking, RoBERTa-style), all seeded by `seed/step/row`. With `packTo`,
 * an MLM row keeps drawing sentences of its group while they fit in `packTo` subwords (the first
 * one that does not fit ends the row); TLM rows are pairs and are never packed.
 */
export const drawBatch = (
  groups: ReadonlyArray<ExampleGroup>,
  shares: ReadonlyArray<number>,
  options: {
    readonly seed: number
    readonly batchSize: number
    readonly masking: MaskingOptions
    readonly padId: number
    readonly packTo?: number
  },
  step: number
): MlmBatch => {
  const rows = Array.from({ length: options.batchSize }, (_, row) => {
    const key = `${options.seed}/${step}/${row}`
    const next = mulberry32(hashSeed(key))
    const group = groups[pickShare(shares, next())]!
    const draw = () => group.examples[Math.floor(next() * group.examples.length)]!
    const parts = [draw()]
    if (options.packTo !== undefined && group.kind === "mlm") {
      let length = parts[0]!.inputIds.length
      for (;;) {
        const candidate = draw()
        length += candidate.inputIds.length - 1
        if (length > options.packTo) break
        parts.push(candidate)
      }
    }
    const example = parts.length === 1 ? parts[0]! : packExamples(parts)
    const masked = maskSequence(example.inputIds, example.wordIds, options.masking, key)
    return { example, group: group.name, ...masked }
  })
  return stackBatch(rows, options.padId)
}

/** Held-out examples as fixed batches (masks seeded by `eval/index`), for evaluation. */
export const fixedBatches = (
  examples: ReadonlyArray<PretrainExample>,
  group: string,
  options: { readonly batchSize: number; readonly masking: MaskingOptions; readonly padId: number }
): Array<MlmBatch> => {
  const batches: Array<MlmBatch> = []
  for (let start = 0; start < examples.length; start += options.batchSize) {
    const rows = examples.slice(start, start + options.batchSize).map((example, i) => ({
      example,
      group,
      ...maskSequence(example.inputIds, example.wordIds, options.masking, `eval/${start + i}`)
    }))
    batches.push(stackBatch(rows, options.padId))
  }
  return batches
}
