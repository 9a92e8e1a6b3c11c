/** The word a typo most likely meant: for "did you mean …?" hints. No dependency (main.ts loads it). */

/** Edits between two words: insertions, deletions, substitutions and swaps of neighbours (`trian`). */
const distance = (a: string, b: string): number => {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0))
  )
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!
      row[j] = Math.min(
        d[i - 1]![j]! + 1,
        row[j - 1]! + 1,
        d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1)
    }
  return d[a.length]![b.length]!
}

/** The candidate within a third of `word`'s length (at least 1, at most 3 edits), or one it begins; nearest first. */
export const closest = (word: string, candidates: ReadonlyArray<string>): string | undefined => {
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)))
  const scored = candidates
    .map((c) => ({ c, d: c.startsWith(word) && word.length >= 3 ? 0.5 : distance(word, c) }))
    .filter((s) => s.d <= limit)
    .sort((x, y) => x.d - y.d)
  return scored[0]?.c
}

/** ` (did you mean X?)`, or nothing. */
export const didYouMean = (word: string, candidates: ReadonlyArray<string>): string => {
  const hint = closest(word, candidates)
  return hint === undefined ? "" : ` (did you mean ${hint}?)`
}
