/**
 * The CoNLL codec: a pure decoder from file text to IOB2 sentences plus a per-file report, and a
 * writer whose output the decoder reads back to the same sentences.
 *
 * Format read: one token per line, 2..n columns separated by runs of ASCII space or tab only
 * (token = first column, tag = last; never `\s`, which also matches U+FEFF inside tokens); blank
 * (or space/tab-only) lines end sentences; LF or CRLF; a leading BOM; `-DOCSTART-` lines are
 * document boundaries, with or without a blank line after them (CoNLL-2002 Dutch glues them to
 * the next sentence); the last sentence may lack its blank line.
 */
import { Either } from "effect"
import {
  ConllEncodeError,
  type ConllError,
  ConllFormatError,
  ConllSchemeError,
  ConllTagError
} from "./errors.js"
import {
  type TagScheme,
  detectScheme,
  fromIob2,
  parseTag,
  parseTagIn,
  schemeIssues,
  toIob2
} from "./scheme.js"

/** A sentence: tokens and their IOB2 tags, the 1-based line of its first token, its document. */
export interface Sentence {
  readonly tokens: ReadonlyArray<string>
  readonly tags: ReadonlyArray<string>
  readonly line: number
  readonly doc?: number
}

/** A legal but ill-formed tag (`O I-PER` in IOB2), kept as written. */
export interface InvalidTransition {
  readonly line: number
  readonly tag: string
  readonly reason: string
}

export interface ConllReport {
  readonly file: string
  /** The file's scheme: declared by the caller, or detected (`detectScheme`). */
  readonly scheme: TagScheme
  readonly detected: boolean
  readonly docstarts: number
  readonly invalidTransitions: ReadonlyArray<InvalidTransition>
}

export interface DecodedConll {
  readonly sentences: ReadonlyArray<Sentence>
  /** Number of documents, present when the file has `-DOCSTART-` lines. */
  readonly documents?: number
  readonly report: ConllReport
}

export interface DecodeOptions {
  /** The file's scheme; detected from the tags when absent. */
  readonly scheme?: TagScheme
}

export const DOCSTART = "-DOCSTART-"

const isSeparator = (c: number) => c === 32 || c === 9

const lineText = (text: string, line: number): string => {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0
  for (let n = 1; n < line; n++) start = text.indexOf("\n", start) + 1
  const end = text.indexOf("\n", start)
  return text.slice(start, end === -1 ? text.length : end).replace(/\r$/, "")
}

interface RawSentence {
  readonly tokens: Array<string>
  readonly tags: Array<string>
  readonly line: number
  /** Number of `-DOCSTART-` lines before it. */
  readonly docstarts: number
}

// Hand-written scanner rather than split/regex: per line it allocates only the token and tag
// strings, which keeps the ~120 MB of shared data within seconds.
const scan = (
  text: string,
  file: string
): Either.Either<{ raw: Array<RawSentence>; docstarts: number }, ConllError> => {
  const raw: Array<RawSentence> = []
  let tokens: Array<string> = []
  let tags: Array<string> = []
  let first = 0
  let docstarts = 0
  const flush = () => {
    if (tokens.length > 0) raw.push({ tokens, tags, line: first, docstarts })
    tokens = []
    tags = []
  }
  const n = text.length
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0
  let line = 0
  while (pos < n) {
    const newline = text.indexOf("\n", pos)
    const end = newline === -1 ? n : newline
    line++
    let e = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end
    while (e > pos && isSeparator(text.charCodeAt(e - 1))) e--
    let s = pos
    while (s < e && isSeparator(text.charCodeAt(s))) s++
    pos = end + 1
    if (s === e) {
      flush()
      continue
    }
    let a = s
    while (a < e && !isSeparator(text.charCodeAt(a))) a++
    const token = text.slice(s, a)
    if (token === DOCSTART) {
      flush()
      docstarts++
      continue
    }
    if (a === e) {
      return Either.left(
        new ConllFormatError({
          file,
          line,
          text: lineText(text, line),
          reason: "expected 2 or more columns (token … tag) separated by spaces or tabs"
        })
      )
    }
    let b = e
    while (!isSeparator(text.charCodeAt(b - 1))) b--
    if (tokens.length === 0) first = line
    tokens.push(token)
    // Most tags are "O": reuse the literal rather than allocate a string per token.
    tags.push(e - b === 1 && text.charCodeAt(b) === 79 ? "O" : text.slice(b, e))
  }
  flush()
  return Either.right({ raw, docstarts })
}

/**
 * Decodes CoNLL text (`file` names it in errors and the report) to IOB2 sentences. Fails on a
 * one-column line, an unknown or malformed tag, a tag outside the declared scheme, or a label
 * set mixing schemes; reports invalid transitions without touching them.
 */
export const decodeConll = (
  text: string,
  file: string,
  options: DecodeOptions = {}
): Either.Either<DecodedConll, ConllError> =>
  Either.gen(function* () {
    const { raw, docstarts } = yield* scan(text, file)
    const tagError = (line: number, reason: string) =>
      new ConllTagError({ file, line, text: lineText(text, line), reason })
    const valid = new Set<string>() // a label set is small: check each distinct tag once
    for (const s of raw) {
      for (let i = 0; i < s.tags.length; i++) {
        const tag = s.tags[i]!
        if (valid.has(tag)) continue
        const parsed = options.scheme === undefined ? parseTag(tag) : parseTagIn(tag, options.scheme)
        if (Either.isLeft(parsed)) return yield* Either.left(tagError(s.line + i, parsed.left.reason))
        valid.add(tag)
      }
    }
    const scheme = options.scheme ?? detectScheme(raw.map((s) => s.tags))
    const invalidTransitions: Array<InvalidTransition> = []
    for (const s of raw) {
      for (const issue of schemeIssues(s.tags, scheme)) {
        const line = s.line + issue.index
        if (issue.kind === "mixed-scheme") {
          return yield* Either.left(
            new ConllSchemeError({ file, line, text: lineText(text, line), reason: issue.reason })
          )
        }
        invalidTransitions.push({ line, tag: s.tags[issue.index]!, reason: issue.reason })
      }
    }
    // Sentences before the first -DOCSTART- (if any) form document 0, shifting the rest by one.
    const leading = docstarts > 0 && raw.length > 0 && raw[0]!.docstarts === 0 ? 1 : 0
    const sentences: Array<Sentence> = raw.map((s) => {
      const tags = scheme === "IOB2" ? s.tags : toIob2(s.tags, scheme)
      return docstarts > 0
        ? { tokens: s.tokens, tags, line: s.line, doc: s.docstarts - 1 + leading }
        : { tokens: s.tokens, tags, line: s.line }
    })
    const report: ConllReport = {
      file,
      scheme,
      detected: options.scheme === undefined,
      docstarts,
      invalidTransitions
    }
    return docstarts > 0 ? { sentences, documents: docstarts + leading, report } : { sentences, report }
  })

export interface EncodeOptions {
  /** Scheme to write the (IOB2) tags in; IOB2 by default. */
  readonly scheme?: TagScheme
  /** Total documents (`DecodedConll.documents`), so that trailing empty documents are written too. */
  readonly documents?: number
}

// Tokens the reader could not give back: empty, containing a separator or line break, or the marker.
const unwritable = (token: string) => token === "" || token === DOCSTART || /[ \t\n\r]/.test(token)

/**
 * Writes sentences as `TOKEN TAG` lines, a blank line after each sentence. Where sentences carry
 * `doc`, a `-DOCSTART- O` line (and a blank line) opens each document, empty documents included,
 * so `decodeConll` returns the same documents. A BOM is written when the first token starts with
 * U+FEFF, because the reader strips one leading BOM. Fails on a sentence the reader could not
 * return unchanged (an unwritable token, tags not matching tokens).
 */
export const encodeConll = (
  sentences: ReadonlyArray<Sentence>,
  options: EncodeOptions = {}
): Either.Either<string, ConllEncodeError> => {
  const out: Array<string> = []
  let doc = -1
  for (let k = 0; k < sentences.length; k++) {
    const s = sentences[k]!
    const fail = (reason: string) => Either.left(new ConllEncodeError({ sentence: k, reason }))
    if (s.tokens.length === 0) return fail("empty sentence")
    if (s.tags.length !== s.tokens.length) return fail(`${s.tokens.length} tokens but ${s.tags.length} tags`)
    const bad = s.tokens.find(unwritable)
    if (bad !== undefined) return fail(`token ${JSON.stringify(bad)} cannot be written as a CoNLL column`)
    for (const tag of s.tags) {
      const parsed = parseTagIn(tag, "IOB2")
      if (Either.isLeft(parsed)) return fail(parsed.left.message)
    }
    if (s.doc !== undefined) {
      if (s.doc < doc) return fail(`document ${s.doc} after document ${doc}`)
      for (; doc < s.doc; doc++) out.push(`${DOCSTART} O\n\n`)
    }
    const tags = options.scheme === undefined ? s.tags : fromIob2(s.tags, options.scheme)
    for (let i = 0; i < s.tokens.length; i++) out.push(`${s.tokens[i]} ${tags[i]}\n`)
    out.push("\n")
  }
  for (; doc < (options.documents ?? 0) - 1; doc++) out.push(`${DOCSTART} O\n\n`)
  const text = out.join("")
  return Either.right(text.charCodeAt(0) === 0xfeff ? `\ufeff${text}` : text)
}
