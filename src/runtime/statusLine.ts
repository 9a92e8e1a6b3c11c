/**
 * A status line as tqdm draws one. On a terminal: redrawn in place and fitted to the terminal's
 * width (it never wraps), the least important fields dropped first; lines that stay go above it.
 * Elsewhere (a pipe, a file, `nohup`): each drawing is a plain line. The `Progress` service draws
 * a run's steps with it, `concner run` a grid's cells.
 */

/** Where progress goes: stderr in the CLI, a buffer in tests. */
export interface ProgressSink {
  readonly write: (text: string) => void
  readonly isTTY: boolean
  /** The terminal's width (TTY only). */
  readonly columns: () => number | undefined
}

export const stderrSink: ProgressSink = {
  write: (text) => process.stderr.write(text),
  isTTY: process.stderr.isTTY === true,
  columns: () => process.stderr.columns
}

/** A field of a status line; `keep`: the lower, the longer it stays on a narrow terminal. */
export interface StatusField {
  readonly keep: number
  readonly text: string
}

/** The fields joined, fitted to `width` characters: the least important fields go first, then the line is cut. */
export const fitFields = (fields: ReadonlyArray<StatusField>, width = Number.POSITIVE_INFINITY): string => {
  const shown = [...fields]
  const line = () => shown.map((f) => f.text).join("  ")
  while (line().length > width && shown.length > 1) {
    const last = Math.max(...shown.map((f) => f.keep))
    shown.splice(
      shown.findIndex((f) => f.keep === last),
      1
    )
  }
  const text = line()
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text
}

export interface StatusLine {
  /** Draws the fields: over the previous status line on a terminal, as a plain line elsewhere. */
  readonly show: (fields: ReadonlyArray<StatusField>) => void
  /** A line that stays: above the status line on a terminal (the next `show` draws that again). */
  readonly log: (line: string) => void
  /** Ends the status line on a terminal: `last` stays as its final line; without it, it is erased. */
  readonly close: (last?: ReadonlyArray<StatusField>) => void
}

/** The widest line `sink` shows without wrapping (a line as wide as the terminal wraps on some). */
export const lineWidth = (sink: ProgressSink): number =>
  sink.isTTY ? (sink.columns() ?? 80) - 1 : Number.POSITIVE_INFINITY

export const makeStatusLine = (sink: ProgressSink): StatusLine => {
  let drawn = false
  const width = () => lineWidth(sink)
  const clear = () => {
    if (drawn) sink.write("\r\x1b[K")
    drawn = false
  }
  return {
    show: (fields) => {
      const text = fitFields(fields, width())
      if (!sink.isTTY) return sink.write(`${text}\n`)
      sink.write(`\r\x1b[K${text}`)
      drawn = true
    },
    log: (line) => {
      clear()
      sink.write(`${line}\n`)
    },
    close: (last) => {
      clear()
      if (sink.isTTY && last !== undefined) sink.write(`${fitFields(last, width())}\n`)
    }
  }
}
