/**
 * How `concner run` and `concner status` show a grid's cells from the cell table: one line per
 * cell (state, runner, stage step/total, ETA) and a summary with the grid's ETA. Pure functions
 * of a `CellListing`. A running cell whose lease has expired is shown as `stalled`: its runner is
 * gone and the cell waits for another runner to take it over.
 */
import { formatDuration } from "../runtime/index.js"
import type { CellListing, CellRow } from "./CellStore.js"

export type ShownState = CellRow["state"] | "stalled"

export const shownState = (row: CellRow, now: number): ShownState =>
  row.state === "running" && row.leaseUntil < now ? "stalled" : row.state

/** Milliseconds left for a running cell's current stage, from its pace so far; undefined before its first step. */
export const cellRemaining = (row: CellRow, now: number): number | undefined =>
  row.state === "running" && row.startedAt !== null && row.step > 0 && row.total > 0
    ? ((now - row.startedAt) * Math.max(0, row.total - row.step)) / row.step
    : undefined

/**
 * The grid's remaining time: what the running cells have left, plus the queued ones at the mean
 * duration of the cells finished so far, spread over as many cells as run now. Undefined while
 * nothing tells (no cell has run a step yet).
 */
export const gridRemaining = (listing: CellListing): number | undefined => {
  const { now, rows } = listing
  const durations = rows
    .filter((r) => r.state === "done" && r.startedAt !== null && r.finishedAt !== null)
    .map((r) => (r.finishedAt ?? 0) - (r.startedAt ?? 0))
  const running = rows.filter((r) => shownState(r, now) === "running")
  const estimates = running.flatMap((r) => {
    const left = cellRemaining(r, now)
    return left === undefined || r.startedAt === null ? [] : [{ left, whole: now - r.startedAt + left }]
  })
  const perCell =
    durations.length > 0
      ? durations.reduce((a, b) => a + b, 0) / durations.length
      : estimates.length > 0
        ? estimates.reduce((a, e) => a + e.whole, 0) / estimates.length
        : undefined
  const waiting = rows.filter((r) => r.state === "queued" || shownState(r, now) === "stalled").length
  if (perCell === undefined || estimates.length < running.length) return undefined
  const work = estimates.reduce((a, e) => a + e.left, 0) + waiting * perCell
  return work / Math.max(1, running.length)
}

/** `label: state …` for one cell. */
export const formatCell = (row: CellRow, now: number): string => {
  const state = shownState(row, now)
  const runner = row.runner ?? "?"
  switch (state) {
    case "queued":
      return `${row.label}: queued`
    case "stalled":
      return `${row.label}: stalled (runner ${runner} stopped renewing; waiting for another runner)`
    case "running": {
      const left = cellRemaining(row, now)
      const at = row.stage === null ? "starting" : `${row.stage} ${row.step}/${row.total}`
      return `${row.label}: running on ${runner} (${at}${left === undefined ? "" : `, ETA ${formatDuration(left)}`})`
    }
    case "done":
      return `${row.label}: done${row.startedAt !== null && row.finishedAt !== null ? ` in ${formatDuration(row.finishedAt - row.startedAt)}` : ""}`
    case "failed":
      return `${row.label}: failed: ${row.error ?? "unknown error"}`
  }
}

/**
 * The summary's parts: `2/4 done`, `1 running`, `1 stalled` (when any), `1 queued`, `0 failed`
 * and, while cells are left, `ETA 1m10s` (`ETA ?` while nothing tells).
 */
export const summaryParts = (
  listing: CellListing
): Array<{ readonly part: ShownState | "eta"; readonly text: string }> => {
  const counts = { done: 0, running: 0, stalled: 0, queued: 0, failed: 0 }
  for (const row of listing.rows) counts[shownState(row, listing.now)]++
  const eta = gridRemaining(listing)
  return [
    { part: "done", text: `${counts.done}/${listing.rows.length} done` },
    { part: "running", text: `${counts.running} running` },
    ...(counts.stalled > 0 ? [{ part: "stalled", text: `${counts.stalled} stalled` } as const] : []),
    { part: "queued", text: `${counts.queued} queued` },
    { part: "failed", text: `${counts.failed} failed` },
    ...(counts.done + counts.failed === listing.rows.length
      ? []
      : [{ part: "eta", text: `ETA ${eta === undefined ? "?" : formatDuration(eta)}` } as const])
  ]
}

/** `2/4 done, 1 running, 1 queued, 0 failed, ETA 1m10s`. */
export const formatSummary = (listing: CellListing): string =>
  summaryParts(listing)
    .map((p) => p.text)
    .join(", ")

/** The table `concner status` prints: one line per cell, grouped by grid, then the summary. */
export const formatStatus = (listing: CellListing): string => {
  if (listing.rows.length === 0) return "no cells submitted"
  const grids = [...new Set(listing.rows.map((r) => r.grid))]
  return grids
    .map((grid) => {
      const rows = listing.rows.filter((r) => r.grid === grid)
      const lines = rows.map((r) => `  ${formatCell(r, listing.now)}\n    ${r.runDir}`)
      return `${grid}: ${formatSummary({ now: listing.now, rows })}\n${lines.join("\n")}`
    })
    .join("\n\n")
}
