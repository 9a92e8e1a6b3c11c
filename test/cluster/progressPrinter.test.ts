import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { CellRow } from "../../src/cluster/CellStore.js"
import { gridPrinter } from "../../src/cluster/progressPrinter.js"
import { recordingSink } from "../support/progressSink.js"
import { listing, now, row } from "./cellRows.js"

const ESC = String.fromCharCode(27)

describe("grid printer", () => {
  it.scoped("without a TTY: a line per change of state or runner, then the summary", () =>
    Effect.gen(function* () {
      const { written, sink: out } = recordingSink(false)
      const printer = yield* gridPrinter(out, 1e9)
      yield* printer.print(listing)
      expect(written).toHaveLength(5)
      yield* printer.print(listing)
      expect(written).toHaveLength(5)
      yield* printer.print({
        now,
        rows: [listing.rows[0]!, CellRow.make({ ...listing.rows[1]!, state: "failed", error: "boom" })]
      })
      expect(written.slice(5)).toEqual([
        "[2/2] conll en de 64 seed 2: failed: boom\n",
        "1/2 done, 0 running, 0 queued, 1 failed\n"
      ])
      expect(written.join("")).not.toContain(ESC)
    })
  )

  it.effect("without a TTY: the summary again after 30 s without a change", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { written, sink: out } = recordingSink(false)
        const printer = yield* gridPrinter(out)
        // leases that outlast the test: no cell turns stalled
        const rows = listing.rows.map((r) => CellRow.make({ ...r, leaseUntil: now + 1e9 }))
        yield* printer.print({ now, rows })
        const first = written.length
        yield* printer.print({ now: now + 29_000, rows })
        expect(written).toHaveLength(first)
        yield* printer.print({ now: now + 30_000, rows })
        expect(written.slice(first)).toEqual([expect.stringMatching(/^1\/4 done, 1 running, 2 queued/)])
      })
    )
  )

  it.effect("on an 80-column TTY: one status line within the width; finished cells stay above it", () =>
    Effect.gen(function* () {
      const { written, sink: out } = recordingSink(true, 80)
      const running = (runId: string, step: number) =>
        row({
          runId,
          state: "running",
          runner: "local",
          stage: "teacher",
          step,
          total: 756,
          startedAt: now - 60_000,
          leaseUntil: now + 1e9,
          ...(runId === "2" ? { label: "wikiann en-trans-lcl-tcl-kd de+engine:dictionary 1000 seed 2" } : {})
        })
      yield* Effect.scoped(
        Effect.gen(function* () {
          const printer = yield* gridPrinter(out)
          for (let second = 0; second < 5; second++)
            yield* printer.print({
              now: now + second * 1000,
              rows: [
                running("1", 100 + second),
                running("2", 50 + second),
                row({ runId: "3", state: "queued" })
              ]
            })
          yield* printer.print({
            now: now + 6000,
            rows: [
              CellRow.make({ ...running("1", 756), state: "done", finishedAt: now + 6000 }),
              CellRow.make({ ...running("2", 60), state: "failed", error: "NonFiniteLoss" }),
              running("3", 1)
            ]
          })
        })
      )
      const screen = written.join("")
      for (const line of screen.split(/\r|\n/))
        expect(line.replaceAll(`${ESC}[K`, "").length, line).toBeLessThanOrEqual(79)
      // the first status line: the queued count and the second running cell do not fit
      expect(written[0]).toBe(
        `\r${ESC}[K0/3 done  2 running  0 failed  elapsed 0m00s  ETA 16m01s  [1/3] teacher 100/756`
      )
      // lines that stay: the status line erased, the line, then the status line drawn again below
      expect(screen).toContain(`\r${ESC}[K[1/3] conll en de 64 seed 1: done in 1m06s\n`)
      expect(screen).toMatch(
        /\n\[2\/3\] wikiann en-trans-lcl-tcl-kd de\+engine:dictionary 1000 seed 2: failed: No…\n/
      )
      // running and queued cells have no line of their own, only the status line
      expect(screen).not.toMatch(/\[\d\/3\] [^\r\n]*(running on|queued)/)
      // the last status line stays when the grid ends (the outcomes follow on stdout)
      expect(written.at(-1)).toMatch(
        /^1\/3 done {2}1 running {2}1 failed {2}elapsed 0m06s {2}ETA .* {2}\[3\/3\] teacher 1\/756\n$/
      )
    })
  )
})
