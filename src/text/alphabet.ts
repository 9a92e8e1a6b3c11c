/**
 * The character floor of a trained vocabulary: which characters get their own token. Per script,
 * characters are ranked by count and kept until they cover `coverage` of that script's occurrences
 * (so a script of a low-resource language keeps its characters however small its share of the
 * corpus), and every character seen at least `minCharCount` times is kept whatever its script.
 */
import { scriptOf } from "./scripts.js"

export interface CoverageOptions {
  /** Share of each script's character occurrences the kept characters must cover, in (0, 1]. */
  readonly coverage: number
  /** A character seen this often is kept even beyond its script's coverage. */
  readonly minCharCount: number
}

export interface ScriptCoverage {
  readonly script: string
  readonly chars: number
  readonly keptChars: number
  readonly occurrences: number
  readonly keptOccurrences: number
}

export interface Alphabet {
  /** Kept characters, most frequent first (ties: lower code point first). */
  readonly kept: ReadonlyArray<string>
  /** Characters left out: a word holding one becomes `[UNK]`. */
  readonly dropped: ReadonlyArray<readonly [string, number]>
  readonly scripts: ReadonlyArray<ScriptCoverage>
}

/** Count descending, then code point ascending: a total order on distinct characters. */
export const byCountThenCodePoint = (a: readonly [string, number], b: readonly [string, number]) =>
  b[1] - a[1] || a[0].codePointAt(0)! - b[0].codePointAt(0)!

export const selectAlphabet = (
  charCounts: ReadonlyMap<string, number>,
  { coverage, minCharCount }: CoverageOptions
): Alphabet => {
  const byScript = new Map<string, Array<readonly [string, number]>>()
  for (const entry of charCounts) {
    const script = scriptOf(entry[0])
    const list = byScript.get(script)
    if (list === undefined) byScript.set(script, [entry])
    else list.push(entry)
  }
  const kept: Array<readonly [string, number]> = []
  const dropped: Array<readonly [string, number]> = []
  const scripts: Array<ScriptCoverage> = []
  for (const [script, entries] of [...byScript].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    entries.sort(byCountThenCodePoint)
    const occurrences = entries.reduce((sum, [, n]) => sum + n, 0)
    let covered = 0
    let keptChars = 0
    for (const entry of entries) {
      // keep the character that crosses the coverage line, so at least `coverage` is covered
      if (covered < coverage * occurrences || entry[1] >= minCharCount) {
        kept.push(entry)
        covered += entry[1]
        keptChars++
      } else dropped.push(entry)
    }
    scripts.push({ script, chars: entries.length, keptChars, occurrences, keptOccurrences: covered })
  }
  return {
    kept: kept.sort(byCountThenCodePoint).map(([c]) => c),
    dropped: dropped.sort(byCountThenCodePoint),
    scripts
  }
}
