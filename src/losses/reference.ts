/**
 * Naive float64 versions of the losses, written as plain loops over JS numbers and kept
 * independent of the tensor code (no shared helpers), to check it against: the laws'
 * "agrees with a naive loop implementation". Slow by design: O(M²·d) loops, for small inputs.
 */
import type { LabelRelation } from "./labelRelation.js"

type Matrix = ReadonlyArray<ReadonlyArray<number>>

const EPS = 1e-8 // same ε as the tensor code's normalisation: ‖x‖ below ε counts as ε

const norm = (x: ReadonlyArray<number>) => {
  let s = 0
  for (const v of x) s += v * v
  return Math.max(Math.sqrt(s), EPS)
}

const cosine = (a: ReadonlyArray<number>, b: ReadonlyArray<number>) => {
  let dot = 0
  for (let j = 0; j < a.length; j++) dot += (a[j] ?? 0) * (b[j] ?? 0)
  return dot / (norm(a) * norm(b))
}

/** log Σ exp(xs), stable. */
const logSumExp = (xs: ReadonlyArray<number>) => {
  const m = Math.max(...xs)
  let s = 0
  for (const x of xs) s += Math.exp(x - m)
  return m + Math.log(s)
}

/** Eqs. 4–5 (and the relation-aware rule of `LabelRelation` when `relation` is given). */
export const referenceLcl = (
  h: Matrix,
  labels: ReadonlyArray<number>,
  temperature: number,
  relation?: LabelRelation
): number => {
  const m = labels.length
  const typeOf = (y: number) => (relation === undefined ? y : (relation.tagTypes[y] ?? Number.NaN))
  const w = relation?.relatedWeight ?? 0
  let total = 0
  let anchors = 0
  for (let i = 0; i < m; i++) {
    const yi = labels[i]!
    const positives: Array<[number, number]> = [] // [index, weight]
    const denominator: Array<number> = []
    for (let k = 0; k < m; k++) {
      if (k === i) continue
      const yk = labels[k]!
      const s = cosine(h[i]!, h[k]!) / temperature
      const related = yk !== yi && typeOf(yk) === typeOf(yi)
      if (yk === yi) positives.push([k, 1])
      else if (related && w > 0) positives.push([k, w])
      if (!related || w > 0) denominator.push(s)
    }
    if (positives.length === 0) continue
    const logZ = logSumExp(denominator)
    let weighted = 0
    let weightSum = 0
    for (const [p, wp] of positives) {
      weighted += wp * (cosine(h[i]!, h[p]!) / temperature - logZ)
      weightSum += wp
    }
    total += -weighted / weightSum
    anchors++
  }
  return anchors === 0 ? 0 : total / anchors
}

/** Eqs. 6–7: rows i and i + N are a pair. */
export const referenceTcl = (r: Matrix, temperature: number): number => {
  const rows = r.length
  const n = rows / 2
  let total = 0
  for (let i = 0; i < rows; i++) {
    const partner = i < n ? i + n : i - n
    const others: Array<number> = []
    for (let k = 0; k < rows; k++) if (k !== i) others.push(cosine(r[i]!, r[k]!) / temperature)
    total += -(cosine(r[i]!, r[partner]!) / temperature - logSumExp(others))
  }
  return rows === 0 ? 0 : total / rows
}

/** Mean over each sentence's counted tokens, then over sentences with at least one. */
const sentenceMean = (perToken: ReadonlyArray<ReadonlyArray<number | undefined>>) => {
  let total = 0
  let sentences = 0
  for (const row of perToken) {
    const counted = row.filter((v): v is number => v !== undefined)
    if (counted.length === 0) continue
    total += counted.reduce((a, b) => a + b, 0) / counted.length
    sentences++
  }
  return sentences === 0 ? 0 : total / sentences
}

/** Eq. 3: `logits` [B][T][C], `labels` [B][T] with −100 ignored. */
export const referenceCrossEntropy = (
  logits: ReadonlyArray<Matrix>,
  labels: ReadonlyArray<ReadonlyArray<number>>
): number =>
  sentenceMean(
    logits.map((sentence, b) =>
      sentence.map((z, t) => {
        const y = labels[b]![t]!
        return y === -100 ? undefined : logSumExp(z) - z[y]!
      })
    )
  )

/** Eq. 9: per token mean over classes of (s − t)², masked sentence-then-batch mean. */
export const referenceDistillationMse = (
  student: ReadonlyArray<Matrix>,
  teacher: ReadonlyArray<Matrix>,
  mask: ReadonlyArray<ReadonlyArray<number>>
): number =>
  sentenceMean(
    student.map((sentence, b) =>
      sentence.map((s, t) => {
        if (mask[b]![t] === 0) return undefined
        const q = teacher[b]![t]!
        let sq = 0
        for (let c = 0; c < s.length; c++) sq += (s[c]! - q[c]!) ** 2
        return sq / s.length
      })
    )
  )
