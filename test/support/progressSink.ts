/** A `ProgressSink` that keeps what is written, as a terminal of `columns` columns or as a pipe. */
import type { ProgressSink } from "../../src/runtime/statusLine.js"

export const recordingSink = (isTTY: boolean, columns?: number) => {
  const written: Array<string> = []
  const sink: ProgressSink = { write: (text) => void written.push(text), isTTY, columns: () => columns }
  return { written, sink }
}
