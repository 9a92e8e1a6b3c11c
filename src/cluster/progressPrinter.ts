/**
 * What `concner run` prints on stderr while its grid runs. On a terminal: one status line (the
 * cells done/running/queued/failed, elapsed, the grid's ETA, each running cell's stage
 * step/total) redrawn in place and fitted to the terminal's width, with a line that stays for
 * each cell that finished, failed or stalled. Elsewhere: a line for each cell whose state or
 * runner changed, and the summary when anything changed or at least every 30 s.
 */
import { Effect } from "effect"
import {
  type ProgressSink,
  type StatusField,
  fitFields,
  formatDuration,
  lineWidth,
  makeStatusLine
} from "../runtime/index.js"
import type { CellListing } from "./CellStore.js"
import { type ShownState, formatCell, formatSummary, shownState, summaryParts } from "./progressView.js"

/** A cell entering one of these states gets a line that stays on a terminal; the status line shows the others. */
const ending: ReadonlyArray<ShownState> = ["done", "failed", "stalled"]

/**
 * The grid's status line: the counts, elapsed, the ETA, then each running cell's stage
 * step/total under its number. On a narrow terminal the queued count goes first, then the running
 * cells (the later first), elapsed, the running count; the done and failed counts stay.
 */
const statusFields = (listing: CellListing, started: number): Array<StatusField> => {
  const n = listing.rows.length
  const cells = listing.rows.flatMap((r, i) =>
    shownState(r, listing.now) === "running"
      ? [`[${i + 1}/${n}] ${r.stage === null ? "starting" : `${r.stage} ${r.step}/${r.total}`}`]
      : []
  )
  const keep: Record<ShownState | "eta", number> = {
    done: 0,
    failed: 1,
    stalled: 1,
    eta: 2,
    running: 3,
    queued: 5 + cells.length
  }
  const summary = summaryParts(listing)
  const field = ({ part, text }: (typeof summary)[number]) => ({ keep: keep[part], text })
  return [
    ...summary.filter((p) => p.part !== "eta").map(field),
    { keep: 4, text: `elapsed ${formatDuration(listing.now - started)}` },
    ...summary.filter((p) => p.part === "eta").map(field),
    ...cells.map((text, i) => ({ keep: 5 + i, text }))
  ]
}

export interface GridPrinter {
  /** Shows the cell table `submitGrid` polled. */
  readonly print: (listing: CellListing) => Effect.Effect<void>
}

/**
 * The printer of a grid's progress on `sink`; when its scope closes, a terminal keeps the last
 * status line (the run's outcomes follow on stdout).
 */
export const gridPrinter = (sink: ProgressSink, summaryEveryMs = 30_000) =>
  Effect.gen(function* () {
    const line = makeStatusLine(sink)
    const seen = new Map<string, string>()
    let last: { readonly listing: CellListing; readonly started: number } | undefined
    let lastSummary = Number.NEGATIVE_INFINITY
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => line.close(last === undefined ? undefined : statusFields(last.listing, last.started)))
    )
    const print = (listing: CellListing) =>
      Effect.sync(() => {
        last = { listing, started: last?.started ?? listing.now }
        let changed = false
        listing.rows.forEach((row, i) => {
          const state = shownState(row, listing.now)
          const key = `${state} ${row.runner ?? ""}`
          if (seen.get(row.runId) === key) return
          seen.set(row.runId, key)
          changed = true
          // on a terminal cut to its width too (the outcomes at the end say all); elsewhere whole
          if (!sink.isTTY || ending.includes(state))
            line.log(
              fitFields(
                [{ keep: 0, text: `[${i + 1}/${listing.rows.length}] ${formatCell(row, listing.now)}` }],
                lineWidth(sink)
              )
            )
        })
        if (sink.isTTY) return line.show(statusFields(listing, last.started))
        if (changed || listing.now - lastSummary >= summaryEveryMs) {
          lastSummary = listing.now
          line.log(formatSummary(listing))
        }
      })
    return { print } satisfies GridPrinter
  })
