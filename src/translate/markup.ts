/**
 * The markup shared by MT engines: a labeled sentence becomes one line of HTML-like text whose
 * entities are `<span class="TYPE" id="eK">…</span>` (K = the entity's index in the sentence),
 * and an engine's output line is parsed back to tokens and spans. Tokens are joined by single
 * spaces and `& < > "` and NBSP are written as character references, so an engine that returns
 * its input gives back every valid IOB2 sentence exactly (an `I-X` that starts a chunk is read as
 * a span, as conlleval reads it, and so comes back as `B-X`).
 *
 * Two modes:
 * - `context`: the span holds the entity's tokens, which the engine translates in context (for
 *   engines whose markup moves with the words, e.g. NMT with tag handling).
 * - `placeholder`: the span holds a placeholder word (`ZXA`, `ZXB`, …, unknown to any dictionary)
 *   and the entity text is translated on its own line (MulDA's placeholder method). Engines that
 *   keep markup in place while reordering words (Apertium: `the <span>John Smith</span> house` →
 *   `la <span>casa de</span> Smith del John`) would otherwise put labels on the wrong words.
 *
 * The parser is strict: any tag other than these spans, nesting, or an unbalanced tag is a
 * `MarkupIssue`, never repaired by guessing.
 */
import { Either } from "effect"
import type { Sentence } from "../data/conll.js"
import { spansOf } from "../data/scheme.js"

export type MarkupMode = "context" | "placeholder"

export interface MarkedEntity {
  readonly id: number
  readonly type: string
  readonly tokens: ReadonlyArray<string>
  /** The word standing for the entity in `placeholder` mode. */
  readonly placeholder: string
}

export interface MarkedSentence {
  readonly line: string
  readonly entities: ReadonlyArray<MarkedEntity>
}

/** A span of the parsed output; `start === end` when the engine emptied it. */
export interface ParsedSpan {
  readonly type: string
  readonly id?: number
  readonly start: number
  readonly end: number
}

export interface ParsedMarkup {
  readonly tokens: ReadonlyArray<string>
  readonly spans: ReadonlyArray<ParsedSpan>
  /** Tokens that carried the engine's unknown-word mark (stripped). */
  readonly untranslated: number
}

export interface MarkupIssue {
  readonly reason: string
}

export interface ParseOptions {
  /** A prefix the engine puts on words it could not translate (Apertium: `*`); stripped and counted. */
  readonly unknownMark?: string
  /** Words unknown by design (placeholders): stripped of the mark but not counted. */
  readonly uncounted?: ReadonlySet<string>
  /** Reject any span (entity translations in `placeholder` mode are plain text). */
  readonly plain?: boolean
}

/** `ZX` + the id in bijective base 26 (`ZXA` … `ZXZ`, `ZXAA`, …): letters only, so no engine reads a number. */
export const placeholderOf = (id: number): string => {
  let letters = ""
  for (let n = id + 1; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters
  return `ZX${letters}`
}

const references: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "\u00a0": "&#160;"
}

export const escapeText = (text: string): string => text.replace(/[&<>"\u00a0]/g, (c) => references[c]!)

const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" }

/** Decodes the character references `escapeText` writes (and `&apos;`, `&nbsp;`, any numeric one); others stay as written. */
export const unescapeText = (text: string): string =>
  text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, body: string) => {
    if (body[0] !== "#") return named[body] ?? whole
    const code =
      body[1] === "x" || body[1] === "X" ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1))
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
      ? String.fromCodePoint(code)
      : whole
  })

/** One line for the engine (no line breaks: CoNLL tokens have no ASCII whitespace). */
export const encodeMarkup = (sentence: Sentence, mode: MarkupMode): MarkedSentence => {
  const spans = spansOf(sentence.tags)
  const parts: Array<string> = []
  let at = 0
  const entities = spans.map((span, id): MarkedEntity => {
    for (; at < span.start; at++) parts.push(escapeText(sentence.tokens[at]!))
    const tokens = sentence.tokens.slice(span.start, span.end)
    const placeholder = placeholderOf(id)
    const content = mode === "context" ? tokens.map(escapeText).join(" ") : placeholder
    parts.push(`<span class="${escapeText(span.type)}" id="e${id}">${content}</span>`)
    at = span.end
    return { id, type: span.type, tokens, placeholder }
  })
  for (; at < sentence.tokens.length; at++) parts.push(escapeText(sentence.tokens[at]!))
  return { line: parts.join(" "), entities }
}

const openTag = /^<span\s+class\s*=\s*(["'])([^"'<>]*)\1(?:\s+id\s*=\s*(["'])e(\d{1,6})\3)?\s*>$/i
const closeTag = /^<\/span\s*>$/i
// Raw whitespace separates tokens; NBSP too (the encoder writes NBSP inside tokens as `&#160;`).
const separators = /[ \t\n\r\f\v\u00a0]+/
const asciiSpace = /[ \t\n\r\f\v]+/

/** Parses one output line into tokens and spans, or says why it cannot. */
export const parseMarkup = (
  line: string,
  options: ParseOptions = {}
): Either.Either<ParsedMarkup, MarkupIssue> => {
  const tokens: Array<string> = []
  const spans: Array<ParsedSpan> = []
  let untranslated = 0
  let open: { type: string; id?: number; start: number } | undefined
  const addText = (text: string) => {
    for (const raw of text.split(separators)) {
      if (raw === "") continue
      // A reference may decode to whitespace (`&#32;`): split again so no token holds a separator.
      for (let token of unescapeText(raw).split(asciiSpace)) {
        if (token === "") continue
        const mark = options.unknownMark
        if (mark !== undefined && token.length > mark.length && token.startsWith(mark)) {
          token = token.slice(mark.length)
          if (options.uncounted?.has(token) !== true) untranslated++
        }
        tokens.push(token)
      }
    }
  }
  const fail = (reason: string) => Either.left<MarkupIssue>({ reason })
  let at = 0
  while (at < line.length) {
    const lt = line.indexOf("<", at)
    const gtBefore = line.indexOf(">", at)
    if (gtBefore !== -1 && (lt === -1 || gtBefore < lt)) return fail(`stray ">" at column ${gtBefore + 1}`)
    if (lt === -1) {
      addText(line.slice(at))
      break
    }
    addText(line.slice(at, lt))
    const gt = line.indexOf(">", lt)
    if (gt === -1) return fail(`unterminated tag at column ${lt + 1}`)
    const tag = line.slice(lt, gt + 1)
    at = gt + 1
    const opened = openTag.exec(tag)
    if (opened !== null) {
      if (options.plain === true) return fail(`markup ${JSON.stringify(tag)} where plain text was expected`)
      if (open !== undefined) return fail(`nested ${JSON.stringify(tag)} inside an open span`)
      const type = unescapeText(opened[2]!)
      open =
        opened[4] === undefined
          ? { type, start: tokens.length }
          : { type, id: Number(opened[4]), start: tokens.length }
    } else if (closeTag.test(tag)) {
      if (open === undefined) return fail(`${JSON.stringify(tag)} closes no span`)
      spans.push({ ...open, end: tokens.length })
      open = undefined
    } else {
      return fail(`unknown tag ${JSON.stringify(tag)}`)
    }
  }
  if (open !== undefined) return fail(`span ${JSON.stringify(open.type)} is never closed`)
  return Either.right({ tokens, spans, untranslated })
}
