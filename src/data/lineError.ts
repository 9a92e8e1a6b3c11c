/**
 * The fields and message every "this line of this file is wrong" error shares (data readers,
 * dictionaries): `file:line: reason: "text"`. A type and a function rather than a base class:
 * `Data.TaggedError` classes cannot share a generic parent and still emit declarations (TS4023).
 */
export interface LineFields {
  readonly file: string
  /** 1-based */
  readonly line: number
  /** the offending line as read */
  readonly text: string
  readonly reason: string
}

/** Most characters of user text an error message quotes: a 1 MB line must not become a 1 MB message. */
export const MAX_QUOTED = 200

/** `text` as a JSON string, cut to `MAX_QUOTED` characters (never inside a surrogate pair) with its length. */
export const quoteExcerpt = (text: string): string => {
  if (text.length <= MAX_QUOTED) return JSON.stringify(text)
  const cut = /[\ud800-\udbff]/.test(text[MAX_QUOTED - 1]!) ? MAX_QUOTED - 1 : MAX_QUOTED
  return `${JSON.stringify(text.slice(0, cut))}… (${text.length} characters)`
}

export const lineMessage = (e: LineFields): string =>
  `${e.file}:${e.line}: ${e.reason}: ${quoteExcerpt(e.text)}`
