/**
 * The contract of labeled-sequence translation: what a translator returns for each English
 * sentence (its target, if any, and a verdict) and the per-sentence counts a report sums.
 */
import type { Sentence } from "../data/conll.js"

/** What to do with a translation whose entities disagree with its source: the caller decides. */
export type { MismatchPolicy } from "../data/pairing.js"

/**
 * Why a sentence has no target. A sentence is dropped for the first reason in this order.
 * - `no-translation`: the engine has none (imported: unaligned or absent).
 * - `source-mismatch`: the imported pair's English side is not the input sentence.
 * - `empty-output`: the engine returned an empty line (or an empty entity translation).
 * - `malformed-markup`: unbalanced, nested or unknown tags; never guessed around.
 * - `renamed-type`: a span whose class is not its source entity's type.
 * - `placeholder-changed`: a span's content is not its placeholder.
 * - `split-entity` / `lost-entity` / `extra-entity` / `type-mismatch`: the target's entities
 *   disagree with the source's (dropped only under the `drop` policy).
 */
export type DropReason =
  | "no-translation"
  | "source-mismatch"
  | "empty-output"
  | "malformed-markup"
  | "renamed-type"
  | "placeholder-changed"
  | "split-entity"
  | "lost-entity"
  | "extra-entity"
  | "type-mismatch"

export const dropReasons: ReadonlyArray<DropReason> = [
  "no-translation",
  "source-mismatch",
  "empty-output",
  "malformed-markup",
  "renamed-type",
  "placeholder-changed",
  "split-entity",
  "lost-entity",
  "extra-entity",
  "type-mismatch"
]

/**
 * A label-free repair: `joined-pieces` merges an entity's markup that the engine broke into
 * directly adjacent pieces (same id, no token between them) back into one span.
 */
export type Repair = "joined-pieces"

export type Verdict =
  | { readonly kind: "kept" }
  | { readonly kind: "repaired"; readonly repairs: ReadonlyArray<Repair> }
  | { readonly kind: "dropped"; readonly reason: DropReason; readonly detail: string }

/**
 * Per-sentence counts (all zero for a clean translation).
 * `split`: entities whose markup came back as non-adjacent pieces; `joined`: as adjacent pieces
 * (repaired); `lost`: source entities with no span; `merged`: the lost ones whose neighbouring
 * source entity of the same type is present (likely swallowed by reordering; report only);
 * `extra`: spans with no source entity; `renamed`: spans of another type than their source entity.
 * `untranslated` is `undefined` where the engine cannot say which tokens it left untranslated.
 */
export interface SentenceStats {
  readonly split: number
  readonly joined: number
  readonly lost: number
  readonly merged: number
  readonly extra: number
  readonly renamed: number
  readonly untranslated?: number
  /** Word tokens the engine looked up (dictionary coverage denominator). */
  readonly lookedUp?: number
}

export const cleanStats: SentenceStats = { split: 0, joined: 0, lost: 0, merged: 0, extra: 0, renamed: 0 }

export interface TranslatedSentence {
  /** Index of the source sentence in its corpus (what `train.src_idx` records). */
  readonly index: number
  readonly source: Sentence
  /** The labeled target (valid IOB2); absent when dropped. */
  readonly target?: Sentence
  readonly verdict: Verdict
  /** The target's entity-type multiset equals the source's (false when nothing was parsed). */
  readonly typesAgree: boolean
  readonly stats: SentenceStats
}
