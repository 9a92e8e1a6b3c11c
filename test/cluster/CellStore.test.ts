import { SqliteClient } from "@effect/sql-sqlite-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { CellStore, memoryCellStore } from "../../src/cluster/CellStore.js"

// the SQL store (a cluster's, here on SQLite) and the local engine's in-memory one keep one contract
const stores = [
  ["SQLite", CellStore.Default.pipe(Layer.provide(SqliteClient.layer({ filename: ":memory:" })))],
  ["memory", memoryCellStore]
] as const

const cell = { runId: "r1", grid: "g", label: "conll en de 64 seed 1", runDir: "/runs/r1" }

const state = Effect.gen(function* () {
  const [row] = (yield* (yield* CellStore).list(["r1"])).rows
  return row!
})

describe.each(stores)("CellStore (%s)", (_, store) => {
  // live clock: leases are on the database's clock, and one must expire
  it.live("a lease is held by one runner until it expires or is released", () =>
    Effect.gen(function* () {
      const cells = yield* CellStore
      yield* cells.submit([cell])
      yield* cells.submit([cell]) // a resubmission keeps the row
      expect((yield* cells.list()).rows).toHaveLength(1)
      expect((yield* state).state).toBe("queued")

      expect(yield* cells.acquire("r1", "a", 300)).toBe(true)
      expect(yield* cells.acquire("r1", "b", 300)).toBe(false)
      expect(yield* cells.renew("r1", "a", 300, { stage: "teacher", step: 3, total: 6 })).toBe(true)
      expect(yield* state).toMatchObject({ state: "running", runner: "a", attempts: 1, step: 3, total: 6 })

      // a stops renewing (dead): once its lease expires b takes the cell, and a cannot renew it
      yield* Effect.sleep("400 millis")
      expect(yield* cells.acquire("r1", "b", 60_000)).toBe(true)
      expect(yield* cells.renew("r1", "a", 300, undefined)).toBe(false)
      expect(yield* state).toMatchObject({ state: "running", runner: "b", attempts: 2, step: 0 })

      yield* cells.release("r1", "b", "done")
      const done = yield* state
      expect(done.state).toBe("done")
      expect(done.finishedAt).toBeGreaterThanOrEqual(done.startedAt ?? Number.POSITIVE_INFINITY)
    }).pipe(Effect.provide(store))
  )

  it.effect("a failed cell submitted again is queued under its next generation; a done one is not", () =>
    Effect.gen(function* () {
      const cells = yield* CellStore
      yield* cells.submit([cell, { ...cell, runId: "r2" }])
      yield* cells.acquire("r1", "a", 60_000)
      yield* cells.release("r1", "a", "failed", "NaN loss")
      yield* cells.acquire("r2", "a", 60_000)
      yield* cells.release("r2", "a", "done")
      expect(yield* state).toMatchObject({ state: "failed", error: "NaN loss", generation: 0 })
      yield* cells.retryFailed(["r1", "r2"])
      const rows = (yield* cells.list(["r1", "r2"])).rows
      expect(rows.map((r) => [r.runId, r.state, r.generation, r.error])).toEqual([
        ["r1", "queued", 1, null],
        ["r2", "done", 0, null]
      ])
    }).pipe(Effect.provide(store))
  )

  it.effect("a cell found complete in its folder is done, started its result's seconds ago", () =>
    Effect.gen(function* () {
      const cells = yield* CellStore
      yield* cells.submit([cell, { ...cell, runId: "r2" }])
      yield* cells.found("r1", 90)
      const found = yield* state
      expect(found).toMatchObject({ state: "done", attempts: 0, leaseUntil: 0 })
      expect(found.finishedAt! - found.startedAt!).toBeCloseTo(90_000, -1)
      // a cell another runner holds is left to it
      yield* cells.acquire("r2", "a", 60_000)
      yield* cells.found("r2", 90)
      const [, held] = (yield* cells.list(["r1", "r2"])).rows
      expect(held).toMatchObject({ state: "running", runner: "a", attempts: 1 })
    }).pipe(Effect.provide(store))
  )
})
