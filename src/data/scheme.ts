/**
 * Tag schemes (IOB1, IOB2, IOBES), entity spans, and lossless conversions through IOB2.
 *
 * IOB2 is concner's internal scheme. Chunk semantics follow conlleval and seqeval: an `I-X`
 * that does not continue an X chunk starts a new X chunk. Such a tag is legal but invalid;
 * `schemeIssues` reports it and nothing here rewrites it (IOB2 → IOB2 is the identity).
 */
import { Data, Either } from "effect"
import { quoteExcerpt } from "./lineError.js"

export type TagScheme = "IOB1" | "IOB2" | "IOBES"
export const tagSchemes: ReadonlyArray<TagScheme> = ["IOB1", "IOB2", "IOBES"]

export type TagPrefix = "O" | "B" | "I" | "E" | "S"

/** A parsed tag; `type` is "" for `O`. */
export interface Tag {
  readonly prefix: TagPrefix
  readonly type: string
}

/** An entity: tokens `start` (inclusive) to `end` (exclusive). */
export interface Span {
  readonly type: string
  readonly start: number
  readonly end: number
}

/** A tag string that is not a tag, or not one of the scheme's tags. */
export class InvalidTag extends Data.TaggedError("InvalidTag")<{
  readonly tag: string
  readonly reason: string
}> {
  override get message() {
    return `${this.reason}: ${quoteExcerpt(this.tag)}`
  }
}

const outside: Tag = { prefix: "O", type: "" }
// Label sets are tiny (≤ ~20 strings) and every token is parsed, so parses are memoised.
const parsed = new Map<string, Tag>()

const parseUncached = (tag: string): Either.Either<Tag, InvalidTag> => {
  if (tag === "O") return Either.right(outside)
  const prefix = tag[0]
  if (tag[1] !== "-")
    return Either.left(new InvalidTag({ tag, reason: "a tag is O or B-, I-, E-, S- and a type" }))
  if (prefix !== "B" && prefix !== "I" && prefix !== "E" && prefix !== "S") {
    return Either.left(
      new InvalidTag({ tag, reason: `unknown prefix "${prefix}-" (expected B-, I-, E- or S-)` })
    )
  }
  const type = tag.slice(2)
  if (type === "") return Either.left(new InvalidTag({ tag, reason: "missing entity type after the prefix" }))
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is rejected
  if (/[\u0000-\u0020\u007f]/.test(type)) {
    return Either.left(
      new InvalidTag({ tag, reason: "entity type contains whitespace or a control character" })
    )
  }
  return Either.right({ prefix, type })
}

/** Parses `O`, `B-X`, `I-X`, `E-X`, `S-X`; anything else (`X-PER`, `B-`, `PER`) is an `InvalidTag`. */
export const parseTag = (tag: string): Either.Either<Tag, InvalidTag> => {
  const hit = parsed.get(tag)
  if (hit !== undefined) return Either.right(hit)
  const result = parseUncached(tag)
  if (Either.isRight(result)) parsed.set(tag, result.right)
  return result
}

/** Parses a tag and checks that `scheme` has it: `E-`/`S-` exist only in IOBES. */
export const parseTagIn = (tag: string, scheme: TagScheme): Either.Either<Tag, InvalidTag> =>
  Either.flatMap(parseTag(tag), (t) =>
    scheme !== "IOBES" && (t.prefix === "E" || t.prefix === "S")
      ? Either.left(new InvalidTag({ tag, reason: `${t.prefix}- tag in an ${scheme} label set` }))
      : Either.right(t)
  )

/** For pure functions whose precondition is a valid tag: a violation is a bug (thrown `InvalidTag`). */
const tagOf = (tag: string, scheme: TagScheme): Tag => {
  const hit = parsed.get(tag) // fast path: no Either per token
  if (hit !== undefined && (scheme === "IOBES" || (hit.prefix !== "E" && hit.prefix !== "S"))) return hit
  const result = parseTagIn(tag, scheme)
  if (Either.isLeft(result)) throw result.left
  return result.right
}

const inChunk = (tag: Tag | undefined, type: string) =>
  tag !== undefined && (tag.prefix === "B" || tag.prefix === "I") && tag.type === type

/** Entities of an IOB2 sequence; `I-X` not continuing an X chunk starts a new span (conlleval, seqeval). */
export const spansOf = (iob2Tags: ReadonlyArray<string>): Array<Span> => {
  const spans: Array<Span> = []
  let type: string | undefined
  let start = 0
  for (let i = 0; i < iob2Tags.length; i++) {
    const tag = tagOf(iob2Tags[i]!, "IOB2")
    if (tag.prefix === "I" && tag.type === type) continue
    if (type !== undefined) spans.push({ type, start, end: i })
    type = tag.prefix === "O" ? undefined : tag.type
    start = i
  }
  if (type !== undefined) spans.push({ type, start, end: iob2Tags.length })
  return spans
}

/** Writes non-overlapping spans as valid IOB2 over `length` tokens. */
export const spansToIob2 = (spans: ReadonlyArray<Span>, length: number): Array<string> => {
  const tags = new Array<string>(length).fill("O")
  for (const { type, start, end } of spans) {
    if (!(start >= 0 && start < end && end <= length))
      throw new RangeError(`span [${start}, ${end}) out of 0..${length}`)
    for (let i = start; i < end; i++) {
      if (tags[i] !== "O") throw new RangeError(`span [${start}, ${end}) overlaps another span`)
      tags[i] = i === start ? `B-${type}` : `I-${type}`
    }
  }
  return tags
}

/**
 * Converts valid `scheme` tags to IOB2, tag by tag, so that spans are preserved:
 * IOBES maps S→B and E→I; IOB1 turns an `I-X` that starts a chunk into `B-X`.
 * Invalid transitions stay invalid (IOBES `O E-X` becomes `O I-X`), never repaired.
 */
export const toIob2 = (tags: ReadonlyArray<string>, scheme: TagScheme): Array<string> => {
  const parsedTags = tags.map((t) => tagOf(t, scheme))
  return parsedTags.map((tag, i) => {
    if (tag.prefix === "S") return `B-${tag.type}`
    if (tag.prefix === "E") return `I-${tag.type}`
    if (scheme === "IOB1" && tag.prefix === "I" && !inChunk(parsedTags[i - 1], tag.type))
      return `B-${tag.type}`
    return tags[i]!
  })
}

/**
 * Converts IOB2 tags to `scheme`. IOBES: B-X becomes S-X unless an I-X follows, I-X becomes E-X
 * unless an I-X follows; the inverse of `toIob2` on every IOB2 sequence. IOB1: B-X becomes I-X
 * unless it follows an X chunk; the inverse of `toIob2` on IOB2 without invalid transitions
 * (IOB1 cannot tell `O I-X` from `O B-X`), and span-preserving on all.
 */
export const fromIob2 = (tags: ReadonlyArray<string>, scheme: TagScheme): Array<string> => {
  const parsedTags = tags.map((t) => tagOf(t, "IOB2"))
  if (scheme === "IOB2") return [...tags]
  return parsedTags.map((tag, i) => {
    if (tag.prefix === "O") return "O"
    if (scheme === "IOB1") {
      return tag.prefix === "B" && !inChunk(parsedTags[i - 1], tag.type) ? `I-${tag.type}` : tags[i]!
    }
    const next = parsedTags[i + 1]
    const continues = next !== undefined && next.prefix === "I" && next.type === tag.type
    if (tag.prefix === "B") return continues ? tags[i]! : `S-${tag.type}`
    return continues ? tags[i]! : `E-${tag.type}`
  })
}

/**
 * A problem with one tag in its sequence.
 * - `invalid-transition`: legal but ill-formed, reported and kept: IOB2/IOBES `I-X` (or `E-X`) not
 *   continuing an X chunk; IOB1 `B-X` not following an X chunk (IOB1 uses B- only between two
 *   adjacent chunks of one type).
 * - `mixed-scheme`: an IOBES sequence whose X chunk ends without `E-X`/`S-X` (`B-X O`, `I-X O`),
 *   i.e. an IOB-style chunk in an IOBES label set. Readers fail on it.
 */
export interface SchemeIssue {
  readonly index: number
  readonly kind: "invalid-transition" | "mixed-scheme"
  readonly reason: string
}

/** The issues of one sequence of valid `scheme` tags, in token order. */
export const schemeIssues = (tags: ReadonlyArray<string>, scheme: TagScheme): Array<SchemeIssue> => {
  const issues: Array<SchemeIssue> = []
  let previous: Tag | undefined
  for (let i = 0; i < tags.length; i++) {
    const tag = tagOf(tags[i]!, scheme)
    const { prefix, type } = tag
    const continuing = inChunk(previous, type)
    if ((prefix === "I" || prefix === "E") && scheme !== "IOB1" && !continuing) {
      issues.push({
        index: i,
        kind: "invalid-transition",
        reason: `${prefix}-${type} does not continue a ${type} chunk`
      })
    } else if (prefix === "B" && scheme === "IOB1" && !continuing) {
      issues.push({
        index: i,
        kind: "invalid-transition",
        reason: `IOB1 B-${type} does not follow a ${type} chunk`
      })
    }
    if (scheme === "IOBES" && (prefix === "B" || prefix === "I")) {
      const next = i + 1 < tags.length ? tagOf(tags[i + 1]!, scheme) : undefined
      if (next === undefined || (next.prefix !== "I" && next.prefix !== "E") || next.type !== type) {
        issues.push({
          index: i,
          kind: "mixed-scheme",
          reason: `${type} chunk not closed by E-${type} (IOB chunk in an IOBES label set)`
        })
      }
    }
    previous = tag
  }
  return issues
}

/**
 * The scheme of a label set, from the tags' use (all tags must parse):
 * any `E-`/`S-` → IOBES; else any `B-X` that starts a chunk → IOB2 (an `I-X` starting a chunk is
 * then an invalid transition); else any entity → IOB1 (chunks start with `I-`); else (all `O`,
 * where every scheme reads the same) IOB2.
 */
export const detectScheme = (sequences: Iterable<ReadonlyArray<string>>): TagScheme => {
  let sawEntity = false
  let sawBStart = false
  for (const tags of sequences) {
    let previous: Tag | undefined
    for (const text of tags) {
      const tag = tagOf(text, "IOBES")
      if (tag.prefix === "E" || tag.prefix === "S") return "IOBES"
      if (tag.prefix !== "O") sawEntity = true
      if (tag.prefix === "B" && !inChunk(previous, tag.type)) sawBStart = true
      previous = tag
    }
  }
  return sawBStart || !sawEntity ? "IOB2" : "IOB1"
}
