/** The set-level report of a translation run: every sentence is counted, none silently lost. */
import { countSentences } from "../data/stats.js"
import { type DropReason, type Repair, type TranslatedSentence, dropReasons } from "./verdict.js"

export interface TranslationReport {
  readonly engine: string
  readonly from: string
  readonly to: string
  readonly sentences: number
  readonly kept: number
  readonly repaired: number
  readonly dropped: number
  /** (kept + repaired) / sentences, in percent (100 for an empty input). */
  readonly keptPercent: number
  readonly droppedBy: Readonly<Record<DropReason, number>>
  readonly repairs: Readonly<Record<Repair, number>>
  /** Sentences with a parsed target whose entity-type multiset equals the source's, of those parsed. */
  readonly typeAgreement: { readonly agree: number; readonly of: number }
  /** Entities of the sources, and of the targets written, by type. */
  readonly entities: {
    readonly source: Readonly<Record<string, number>>
    readonly target: Readonly<Record<string, number>>
  }
  /** Summed `SentenceStats` (see verdict.ts). */
  readonly spans: {
    readonly split: number
    readonly joined: number
    readonly lost: number
    readonly merged: number
    readonly extra: number
    readonly renamed: number
  }
  readonly tokens: {
    readonly source: number
    readonly target: number
    /** Tokens the engine marked as untranslated; absent where the engine cannot say. */
    readonly untranslated?: number
  }
  /** Dictionary engine: looked-up word tokens that had an entry, in percent. */
  readonly coverage?: number
  /** What the engine is and is not (e.g. "word-by-word approximation, not MT"). */
  readonly notes: ReadonlyArray<string>
}

export interface ReportMeta {
  readonly engine: string
  readonly from: string
  readonly to: string
  readonly notes?: ReadonlyArray<string>
}

const percent = (part: number, whole: number) =>
  whole === 0 ? 100 : Math.round((part / whole) * 10000) / 100

/** Sums per-sentence verdicts and stats. */
export const summarize = (
  results: ReadonlyArray<TranslatedSentence>,
  meta: ReportMeta
): TranslationReport => {
  const droppedBy = Object.fromEntries(dropReasons.map((r) => [r, 0])) as Record<DropReason, number>
  const repairs: Record<Repair, number> = { "joined-pieces": 0 }
  const spans = { split: 0, joined: 0, lost: 0, merged: 0, extra: 0, renamed: 0 }
  let kept = 0
  let repaired = 0
  let agree = 0
  let parsed = 0
  let untranslated: number | undefined
  let lookedUp: number | undefined
  for (const r of results) {
    const v = r.verdict
    if (v.kind === "kept") kept++
    else if (v.kind === "repaired") {
      repaired++
      for (const repair of v.repairs) repairs[repair]++
    } else droppedBy[v.reason]++
    // A target was parsed unless the sentence failed before its entities could be compared.
    const compared =
      v.kind !== "dropped" ||
      ![
        "no-translation",
        "source-mismatch",
        "empty-output",
        "malformed-markup",
        "placeholder-changed"
      ].includes(v.reason)
    if (compared) {
      parsed++
      if (r.typesAgree) agree++
    }
    for (const key of Object.keys(spans) as Array<keyof typeof spans>) spans[key] += r.stats[key]
    if (r.stats.untranslated !== undefined) untranslated = (untranslated ?? 0) + r.stats.untranslated
    if (r.stats.lookedUp !== undefined) lookedUp = (lookedUp ?? 0) + r.stats.lookedUp
  }
  const targets = results.flatMap((r) => (r.target === undefined ? [] : [r.target]))
  const sourceCounts = countSentences(results.map((r) => r.source))
  const targetCounts = countSentences(targets)
  const dropped = results.length - kept - repaired
  return {
    engine: meta.engine,
    from: meta.from,
    to: meta.to,
    sentences: results.length,
    kept,
    repaired,
    dropped,
    keptPercent: percent(kept + repaired, results.length),
    droppedBy,
    repairs,
    typeAgreement: { agree, of: parsed },
    entities: { source: sourceCounts.byType, target: targetCounts.byType },
    spans,
    tokens: {
      source: sourceCounts.tokens,
      target: targetCounts.tokens,
      ...(untranslated === undefined ? {} : { untranslated })
    },
    ...(lookedUp === undefined ? {} : { coverage: percent(lookedUp - (untranslated ?? 0), lookedUp) }),
    notes: meta.notes ?? []
  }
}
