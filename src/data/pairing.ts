/**
 * Pairing a labeled translation of the English CoNLL-2003 training set with its English source
 * sentences through `train.src_idx`, and the integrity report of such a set.
 */
import { Either } from "effect"
import type { InvalidTransition, Sentence } from "./conll.js"
import { IndexFileError } from "./errors.js"
import { typeMultiset } from "./stats.js"

/** What to do with an aligned pair whose entity-type multisets differ: the caller decides. */
export type MismatchPolicy = "drop" | "keep"

export interface TranslationPair {
  /** Index of the English sentence in `conll/en/train.txt`. */
  readonly index: number
  readonly source: Sentence
  readonly target: Sentence
  /** Source and target have the same multiset of entity types. */
  readonly sameTypes: boolean
}

export interface LeakedPlaceholder {
  readonly line: number
  readonly token: string
}

export interface PairingReport {
  readonly file: string
  readonly policy: MismatchPolicy
  /** Target sentences in the file. */
  readonly sentences: number
  /** Sentences with an English source (`src_idx` ≠ -1). */
  readonly aligned: number
  readonly unaligned: number
  /** Aligned pairs with the same entity-type multiset as their source. */
  readonly sameTypes: number
  readonly typeMismatches: number
  /** Pairs returned: all aligned ones (`keep`) or those with the same types (`drop`). */
  readonly kept: number
  readonly invalidTransitions: ReadonlyArray<InvalidTransition>
  readonly leakedPlaceholders: ReadonlyArray<LeakedPlaceholder>
}

export interface PairedTranslations {
  readonly pairs: ReadonlyArray<TranslationPair>
  readonly report: PairingReport
  /** Kept pairs by English index. */
  readonly bySource: ReadonlyMap<number, TranslationPair>
}

/**
 * A leaked placeholder: a token of 3+ upper-case letters directly followed by digits (MulDA's
 * `PER0`, `LOC1`, `MISC2` and what the translator made of them: `LIS3`, `PERG1`, `MOCC4`,
 * `VERSCHIEDENES1`) that is not a token anywhere in the English source corpus (which has real
 * tokens of that shape, e.g. `FAT8222`). Shorter stems (`U21`, `T1`) are real words too often
 * to flag; a placeholder glued to other text (`China961`) is missed. Reported, never removed.
 */
export const isLeakedPlaceholder = (token: string, sourceVocabulary: ReadonlySet<string>): boolean =>
  /^\p{Lu}{3,}\d+$/u.test(token) && !sourceVocabulary.has(token)

export interface PairingInput {
  readonly english: ReadonlyArray<Sentence>
  readonly target: ReadonlyArray<Sentence>
  readonly invalidTransitions: ReadonlyArray<InvalidTransition>
  /** One English index (or -1) per target sentence. */
  readonly srcIdx: ReadonlyArray<number>
  readonly targetFile: string
  readonly srcIdxFile: string
}

/**
 * Pairs target sentence i with English sentence `srcIdx[i]`. Fails when an index is out of
 * range or names an English sentence twice (line numbers in `srcIdxFile`).
 */
export const pairTranslations = (
  input: PairingInput,
  policy: MismatchPolicy
): Either.Either<PairedTranslations, IndexFileError> => {
  const { english, target, srcIdx } = input
  const vocabulary = new Set<string>()
  for (const s of english) for (const t of s.tokens) vocabulary.add(t)
  const leakedPlaceholders: Array<LeakedPlaceholder> = []
  const pairedAt = new Map<number, number>()
  const pairs: Array<TranslationPair> = []
  let aligned = 0
  let sameTypes = 0
  for (let i = 0; i < target.length; i++) {
    const t = target[i]!
    t.tokens.forEach((token, k) => {
      if (isLeakedPlaceholder(token, vocabulary)) leakedPlaceholders.push({ line: t.line + k, token })
    })
    const index = srcIdx[i]!
    if (index === -1) continue
    const fail = (reason: string) =>
      Either.left(new IndexFileError({ file: input.srcIdxFile, line: i + 1, text: String(index), reason }))
    const source = english[index]
    if (source === undefined) return fail(`no English sentence ${index} (there are ${english.length})`)
    const earlier = pairedAt.get(index)
    if (earlier !== undefined) return fail(`English sentence ${index} is already paired on line ${earlier}`)
    pairedAt.set(index, i + 1)
    aligned++
    const same = typeMultiset(source.tags) === typeMultiset(t.tags)
    if (same) sameTypes++
    if (same || policy === "keep") pairs.push({ index, source, target: t, sameTypes: same })
  }
  const report: PairingReport = {
    file: input.targetFile,
    policy,
    sentences: target.length,
    aligned,
    unaligned: target.length - aligned,
    sameTypes,
    typeMismatches: aligned - sameTypes,
    kept: pairs.length,
    invalidTransitions: input.invalidTransitions,
    leakedPlaceholders
  }
  return Either.right({ pairs, report, bySource: new Map(pairs.map((p) => [p.index, p])) })
}

export interface SamplePairs {
  /** The kept pairs of the sampled English sentences, in sample order. */
  readonly pairs: ReadonlyArray<TranslationPair>
  /** Sampled English indices with no kept pair (unaligned, dropped, or untranslated). */
  readonly missing: ReadonlyArray<number>
}

/** The pairs that exist for a sample of English indices, and which are missing. */
export const pairsForSample = (set: PairedTranslations, indices: ReadonlyArray<number>): SamplePairs => {
  const pairs: Array<TranslationPair> = []
  const missing: Array<number> = []
  for (const index of indices) {
    const pair = set.bySource.get(index)
    if (pair === undefined) missing.push(index)
    else pairs.push(pair)
  }
  return { pairs, missing }
}
