import { describe, expect, it } from "@effect/vitest"
import { formatCell, formatStatus, formatSummary, gridRemaining } from "../../src/cluster/progressView.js"
import { listing, now, row } from "./cellRows.js"

describe("cell progress", () => {
  it("estimates the grid's time left from finished cells and the running cells' pace", () => {
    // (30 s left + 2 queued × 40 s) / 1 running cell
    expect(gridRemaining(listing)).toBe(110_000)
    expect(formatSummary(listing)).toBe("1/4 done, 1 running, 2 queued, 0 failed, ETA 1m50s")
    expect(formatCell(listing.rows[1]!, now)).toBe(
      "conll en de 64 seed 2: running on a:1 (teacher 4/16, ETA 0m30s)"
    )
  })

  it("shows a running cell whose lease expired as stalled, and knows no ETA before a first step", () => {
    const stalled = row({ runId: "5", state: "running", runner: "b:2", leaseUntil: now - 1 })
    expect(formatCell(stalled, now)).toMatch(/stalled \(runner b:2 stopped renewing/)
    expect(gridRemaining({ now, rows: [stalled, row({ runId: "6", state: "queued" })] })).toBeUndefined()
    expect(formatSummary({ now, rows: [stalled] })).toBe(
      "0/1 done, 0 running, 1 stalled, 0 queued, 0 failed, ETA ?"
    )
  })

  it("formats the status table of concner status", () => {
    expect(formatStatus({ now, rows: [] })).toBe("no cells submitted")
    expect(formatStatus(listing).split("\n")[0]).toBe("g: 1/4 done, 1 running, 2 queued, 0 failed, ETA 1m50s")
  })
})
