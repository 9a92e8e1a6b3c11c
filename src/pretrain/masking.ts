import { IGNORE_INDEX } from "../data/labels.js"
/**
 * BERT's masked-language-model corruption, pure and seeded: of the positions that may be masked
 * (never `[CLS]`, `[SEP]`, `[PAD]` or another special id), `round(p·n)` (at least one) are chosen
 * — exactly, as Google's `create_pretraining_data.py` does, rather than HF's per-position coin, so
 * every sequence contributes to the loss. Each chosen position becomes `[MASK]` with probability 0.8,
 * a random non-special token with 0.1, and stays itself with 0.1; its label is the original id, every
 * other label is −100. With whole-word masking, whole words (all their subwords) are chosen until
 * the budget is reached (a word that would overshoot it is skipped, as Google's script does).
 */
import { hashSeed, mulberry32, sampleIndices } from "../data/sampling.js"

export interface MaskingOptions {
  /** Share of maskable positions to predict (BERT: 0.15). */
  readonly probability: number
  readonly maskId: number
  readonly vocabSize: number
  /** Ids never masked nor drawn as random replacements (`[CLS]`, `[SEP]`, `[PAD]`, `[UNK]`, `[MASK]`). */
  readonly specialIds: ReadonlySet<number>
  readonly wholeWord: boolean
}

export interface Masked {
  readonly inputIds: ReadonlyArray<number>
  /** Original id at predicted positions, −100 elsewhere. */
  readonly labels: ReadonlyArray<number>
}

/** What happened to a chosen position (exported for the proportion tests). */
export type Corruption = "mask" | "random" | "keep"

/**
 * Masks one sequence. `wordIds` gives each position's word (−1 for specials), as `encodeWords` does;
 * positions of one word are masked together under `wholeWord`. Same `seed`, same result.
 */
export const maskSequence = (
  inputIds: ArrayLike<number> & Iterable<number>,
  wordIds: ArrayLike<number>,
  options: MaskingOptions,
  seed: string
): Masked & { readonly corruptions: ReadonlyArray<Corruption> } => {
  const maskable: Array<number> = []
  for (let i = 0; i < inputIds.length; i++) if (!options.specialIds.has(inputIds[i]!)) maskable.push(i)
  const labels = new Array<number>(inputIds.length).fill(IGNORE_INDEX)
  const out = [...inputIds]
  if (maskable.length === 0) return { inputIds: out, labels, corruptions: [] }
  const budget = Math.max(1, Math.round(options.probability * maskable.length))
  const chosen = options.wholeWord
    ? chooseWords(maskable, wordIds, budget, seed)
    : sampleIndices(maskable.length, budget, `${seed}/positions`).map((k) => maskable[k]!)
  chosen.sort((a, b) => a - b)
  const next = mulberry32(hashSeed(`${seed}/corrupt`))
  const corruptions = chosen.map((i): Corruption => {
    labels[i] = inputIds[i]!
    const r = next()
    if (r < 0.8) {
      out[i] = options.maskId
      return "mask"
    }
    if (r < 0.9) {
      out[i] = randomToken(next, options)
      return "random"
    }
    return "keep"
  })
  return { inputIds: out, labels, corruptions }
}

/** Whole words in seeded order while they fit the budget; at least the first word drawn. */
const chooseWords = (
  maskable: ReadonlyArray<number>,
  wordIds: ArrayLike<number>,
  budget: number,
  seed: string
): Array<number> => {
  const words = new Map<number, Array<number>>()
  for (const i of maskable) {
    // a maskable position outside any word (wordIds −1) is a word of its own
    const key = wordIds[i] === undefined || wordIds[i]! < 0 ? -1 - i : wordIds[i]!
    const positions = words.get(key)
    if (positions === undefined) words.set(key, [i])
    else positions.push(i)
  }
  const groups = [...words.values()]
  const chosen: Array<number> = []
  for (const g of sampleIndices(groups.length, groups.length, `${seed}/words`)) {
    const positions = groups[g]!
    if (chosen.length > 0 && chosen.length + positions.length > budget) continue
    chosen.push(...positions)
    if (chosen.length >= budget) break
  }
  return chosen
}

/** A uniformly drawn non-special id (rejection: specials are a handful of a large vocabulary). */
const randomToken = (next: () => number, options: MaskingOptions): number => {
  if (options.specialIds.size >= options.vocabSize) throw new RangeError("no non-special token to draw")
  for (;;) {
    const id = Math.floor(next() * options.vocabSize)
    if (!options.specialIds.has(id)) return id
  }
}
