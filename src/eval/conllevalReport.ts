/**
 * conlleval.pl's text report, byte for byte: the same lines, widths and rounding.
 */
import type { ChunkScore, EntityScores } from "./scores.js"
import { byUtf8 } from "./scores.js"

/**
 * C's `%.2f` for a non-negative double. `toFixed` already rounds the exact binary value, except on
 * exact ties, which it rounds up where glibc rounds to even (3.125 → "3.12"). A double is an exact
 * tie at two decimals only when it is an odd multiple of 1/8.
 */
export const fixed2 = (x: number): string => {
  const eighths = x * 8
  if (!Number.isInteger(eighths) || eighths % 2 === 0) return x.toFixed(2)
  const floor = Math.floor(x * 100) // exact: x * 100 = 12.5 * eighths
  const even = floor % 2 === 0 ? floor : floor + 1
  return `${Math.floor(even / 100)}.${String(even % 100).padStart(2, "0")}`
}

/** `%6.2f` */
const f62 = (x: number) => fixed2(x).padStart(6, " ")

/** `%17s`: Perl pads the undecoded string, so width counts UTF-8 bytes. */
const s17 = (s: string) => " ".repeat(Math.max(0, 17 - Buffer.byteLength(s))) + s

const typeLine = (name: string, score: ChunkScore) =>
  `${s17(name)}: precision: ${f62(score.precision)}%; recall: ${f62(score.recall)}%; FB1: ${f62(score.f1)}  ${score.predicted}\n`

/**
 * The per-type lines in conlleval's order. It sorts the gold and the predicted type names together
 * and drops a repeat only when the previous name is true in Perl, so a type "" found in both gold
 * and prediction is printed twice.
 */
const typeLines = (types: EntityScores["types"]): string => {
  const names = Object.entries(types)
    .flatMap(([name, score]) => [...(score.gold > 0 ? [name] : []), ...(score.predicted > 0 ? [name] : [])])
    .sort(byUtf8)
  let last: string | undefined
  let out = ""
  for (const name of names) {
    if (last === undefined || last === "" || last !== name) out += typeLine(name, types[name]!)
    last = name
  }
  return out
}

/** The report conlleval.pl prints for these scores. */
export const formatReport = (scores: EntityScores): string => {
  const { overall } = scores
  let out = `processed ${scores.tokens} tokens with ${overall.gold} phrases; found: ${overall.predicted} phrases; correct: ${overall.correct}.\n`
  if (scores.tokens > 0) {
    out += `accuracy: ${f62(scores.accuracy)}%; precision: ${f62(overall.precision)}%; recall: ${f62(overall.recall)}%; FB1: ${f62(overall.f1)}\n`
  }
  return out + typeLines(scores.types)
}
