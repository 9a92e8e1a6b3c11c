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

export const lineMessage = (e: LineFields): string =>
  `${e.file}:${e.line}: ${e.reason}: ${JSON.stringify(e.text)}`
