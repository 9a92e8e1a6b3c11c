/**
 * The `CellStore` service: one row per grid cell in `concner_cells`, beside the cluster's own
 * tables in the same database (Postgres for a cluster; `memoryCellStore` below is the local
 * engine's, in this process). It holds
 * what `concner run` and `concner status` show (queued → running → done | failed, the runner,
 * the stage's step and total) and the cell's **lease**: a runner trains a cell only while it holds
 * the lease, renews it every few seconds, and stops training when a renewal fails; another runner
 * takes the cell only once the lease has expired. So a cell never trains twice at once, even if
 * the cluster briefly hands its workflow to a second runner (shard locks can move before the old
 * holder notices). Times are milliseconds on the database's clock, so runners' clocks may differ.
 */
import { SqlClient } from "@effect/sql"
import { Effect, Layer, Schedule, Schema } from "effect"

export const CellState = Schema.Literal("queued", "running", "done", "failed")
export type CellState = typeof CellState.Type

/** A cell as `concner status` lists it. */
export class CellRow extends Schema.Class<CellRow>("CellRow")({
  runId: Schema.String,
  grid: Schema.String,
  label: Schema.String,
  runDir: Schema.String,
  state: CellState,
  runner: Schema.NullOr(Schema.String),
  attempts: Schema.Number,
  /** Bumped each time a failed cell is submitted again: a new workflow execution for it. */
  generation: Schema.Number,
  stage: Schema.NullOr(Schema.String),
  step: Schema.Number,
  total: Schema.Number,
  submittedAt: Schema.Number,
  startedAt: Schema.NullOr(Schema.Number),
  finishedAt: Schema.NullOr(Schema.Number),
  leaseUntil: Schema.Number,
  error: Schema.NullOr(Schema.String)
}) {}

/** What a submitter records of a cell before its workflow starts. */
export interface CellSubmission {
  readonly runId: string
  readonly grid: string
  readonly label: string
  readonly runDir: string
}

/** A submitted cell's row before any runner has taken it. */
export const queuedRow = (cell: CellSubmission, submittedAt: number): CellRow =>
  CellRow.make({
    runId: cell.runId,
    grid: cell.grid,
    label: cell.label,
    runDir: cell.runDir,
    state: "queued",
    runner: null,
    attempts: 0,
    generation: 0,
    stage: null,
    step: 0,
    total: 0,
    submittedAt,
    startedAt: null,
    finishedAt: null,
    leaseUntil: 0,
    error: null
  })

/** A running cell's position, reported by its training process. */
export interface CellProgress {
  readonly stage: string
  readonly step: number
  readonly total: number
}

/** The rows and the database's clock when they were read (to tell an expired lease). */
export interface CellListing {
  readonly now: number
  readonly rows: ReadonlyArray<CellRow>
}

const decodeRows = Schema.decodeUnknown(Schema.Array(CellRow))

export class CellStore extends Effect.Service<CellStore>()("concner/CellStore", {
  effect: Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const now = sql.onDialectOrElse({
      pg: () => sql.literal("(extract(epoch from clock_timestamp()) * 1000)::double precision"),
      orElse: () => sql.literal("((julianday('now') - 2440587.5) * 86400000.0)")
    })
    // runners starting together may race on CREATE TABLE IF NOT EXISTS (Postgres checks the
    // catalog before it locks): the loser fails once and finds the table on retry
    yield* sql`CREATE TABLE IF NOT EXISTS concner_cells (
      run_id TEXT PRIMARY KEY,
      grid TEXT NOT NULL,
      label TEXT NOT NULL,
      run_dir TEXT NOT NULL,
      state TEXT NOT NULL,
      runner TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      generation INTEGER NOT NULL DEFAULT 0,
      stage TEXT,
      step INTEGER NOT NULL DEFAULT 0,
      total INTEGER NOT NULL DEFAULT 0,
      submitted_at DOUBLE PRECISION NOT NULL,
      started_at DOUBLE PRECISION,
      finished_at DOUBLE PRECISION,
      lease_until DOUBLE PRECISION NOT NULL DEFAULT 0,
      error TEXT
    )`.pipe(Effect.retry(Schedule.spaced("200 millis").pipe(Schedule.intersect(Schedule.recurs(5)))))

    const columns = sql.literal(`run_id AS "runId", grid, label, run_dir AS "runDir", state, runner,
      attempts, generation, stage, step, total, submitted_at AS "submittedAt", started_at AS "startedAt",
      finished_at AS "finishedAt", lease_until AS "leaseUntil", error`)

    /** Records cells as queued; a cell already recorded (resubmitted) keeps its row. */
    const submit = Effect.fn("CellStore.submit")(function* (cells: ReadonlyArray<CellSubmission>) {
      for (const c of cells)
        yield* sql`INSERT INTO concner_cells (run_id, grid, label, run_dir, state, submitted_at)
          VALUES (${c.runId}, ${c.grid}, ${c.label}, ${c.runDir}, 'queued', ${now})
          ON CONFLICT (run_id) DO NOTHING`
    })

    /** Queues the failed ones among `runIds` again, each under its next generation. */
    const retryFailed = Effect.fn("CellStore.retryFailed")(function* (runIds: ReadonlyArray<string>) {
      if (runIds.length === 0) return
      yield* sql`UPDATE concner_cells SET state = 'queued', generation = generation + 1, error = NULL,
        runner = NULL, finished_at = NULL
        WHERE state = 'failed' AND ${sql.in("run_id", runIds)}`
    })

    /**
     * Takes the cell's lease for `leaseMs` if it is free: not running, already ours, or expired.
     * True when taken.
     */
    const acquire = Effect.fn("CellStore.acquire")(function* (
      runId: string,
      runner: string,
      leaseMs: number
    ) {
      const rows = yield* sql`UPDATE concner_cells
        SET state = 'running', runner = ${runner}, lease_until = ${now} + ${leaseMs},
          started_at = ${now}, finished_at = NULL, attempts = attempts + 1, error = NULL,
          stage = NULL, step = 0, total = 0
        WHERE run_id = ${runId} AND (state <> 'running' OR runner = ${runner} OR lease_until < ${now})
        RETURNING run_id`
      return rows.length === 1
    })

    /** Extends our lease and records the progress; false when the lease is no longer ours. */
    const renew = Effect.fn("CellStore.renew")(function* (
      runId: string,
      runner: string,
      leaseMs: number,
      progress: CellProgress | undefined
    ) {
      const rows = progress
        ? yield* sql`UPDATE concner_cells
            SET lease_until = ${now} + ${leaseMs}, stage = ${progress.stage}, step = ${progress.step},
              total = ${progress.total}
            WHERE run_id = ${runId} AND runner = ${runner} AND state = 'running' RETURNING run_id`
        : yield* sql`UPDATE concner_cells SET lease_until = ${now} + ${leaseMs}
            WHERE run_id = ${runId} AND runner = ${runner} AND state = 'running' RETURNING run_id`
      return rows.length === 1
    })

    /** Ends our lease: done, failed (with why), or back to queued (given up, e.g. on shutdown). */
    const release = Effect.fn("CellStore.release")(function* (
      runId: string,
      runner: string,
      state: "done" | "failed" | "queued",
      error?: string
    ) {
      yield* sql`UPDATE concner_cells
        SET state = ${state}, error = ${error ?? null}, lease_until = 0,
          finished_at = ${state === "queued" ? null : now}
        WHERE run_id = ${runId} AND runner = ${runner}`
    })

    /**
     * Records as done a queued cell (or one whose runner died) that was found complete in its
     * folder, nothing trained: it started `seconds` (its result's wall time, all sittings) before
     * now, so the grid's ETA counts what such cells cost; its attempts stay as they were.
     */
    const found = Effect.fn("CellStore.found")(function* (runId: string, seconds: number) {
      yield* sql`UPDATE concner_cells
        SET state = 'done', error = NULL, lease_until = 0, started_at = ${now} - ${seconds * 1000},
          finished_at = ${now}
        WHERE run_id = ${runId} AND (state = 'queued' OR (state = 'running' AND lease_until < ${now}))`
    })

    /** The cells of the given runs (all cells when `runIds` is absent), in submission order. */
    const list = Effect.fn("CellStore.list")(function* (runIds?: ReadonlyArray<string>) {
      const [clock] = yield* sql<{ readonly now: number }>`SELECT ${now} AS now`
      const rows =
        runIds === undefined
          ? yield* sql`SELECT ${columns} FROM concner_cells ORDER BY submitted_at, label`
          : runIds.length === 0
            ? []
            : yield* sql`SELECT ${columns} FROM concner_cells WHERE ${sql.in("run_id", runIds)}
                ORDER BY submitted_at, label`
      return {
        now: Number(clock?.now ?? 0),
        rows: yield* Effect.orDie(decodeRows(rows))
      } satisfies CellListing
    })

    return { submit, retryFailed, acquire, renew, release, found, list } as const
  })
}) {}

/**
 * The same store in this process's memory, for the local engine (one machine, no database): the
 * same rows and the same lease rules as the SQL statements above, on this process's clock.
 */
export const memoryCellStore = Layer.sync(CellStore, () => {
  const rows = new Map<string, CellRow>()
  const update = (runId: string, change: Partial<CellRow>) => {
    const row = rows.get(runId)
    if (row !== undefined) rows.set(runId, CellRow.make({ ...row, ...change }))
  }
  let clock = 0
  // strictly increasing, like submission order in the table (two submissions in one millisecond)
  const now = () => {
    clock = Math.max(clock + 1e-3, Date.now())
    return clock
  }
  return CellStore.make({
    submit: (cells) =>
      Effect.sync(() => {
        for (const c of cells) if (!rows.has(c.runId)) rows.set(c.runId, queuedRow(c, now()))
      }),
    retryFailed: (runIds) =>
      Effect.sync(() => {
        for (const id of runIds) {
          const row = rows.get(id)
          if (row?.state === "failed")
            update(id, {
              state: "queued",
              generation: row.generation + 1,
              error: null,
              runner: null,
              finishedAt: null
            })
        }
      }),
    acquire: (runId, runner, leaseMs) =>
      Effect.sync(() => {
        const row = rows.get(runId)
        const t = now()
        if (row === undefined || (row.state === "running" && row.runner !== runner && row.leaseUntil >= t))
          return false
        update(runId, {
          state: "running",
          runner,
          leaseUntil: t + leaseMs,
          startedAt: t,
          finishedAt: null,
          attempts: row.attempts + 1,
          error: null,
          stage: null,
          step: 0,
          total: 0
        })
        return true
      }),
    renew: (runId, runner, leaseMs, progress) =>
      Effect.sync(() => {
        const row = rows.get(runId)
        if (row?.runner !== runner || row.state !== "running") return false
        update(runId, { leaseUntil: now() + leaseMs, ...(progress ?? {}) })
        return true
      }),
    release: (runId, runner, state, error) =>
      Effect.sync(() => {
        if (rows.get(runId)?.runner !== runner) return
        update(runId, {
          state,
          error: error ?? null,
          leaseUntil: 0,
          finishedAt: state === "queued" ? null : now()
        })
      }),
    found: (runId, seconds) =>
      Effect.sync(() => {
        const row = rows.get(runId)
        const t = now()
        if (row === undefined || !(row.state === "queued" || (row.state === "running" && row.leaseUntil < t)))
          return
        update(runId, {
          state: "done",
          error: null,
          leaseUntil: 0,
          startedAt: t - seconds * 1000,
          finishedAt: t
        })
      }),
    list: (runIds) =>
      Effect.sync(() => {
        const chosen = runIds === undefined ? [...rows.values()] : runIds.flatMap((id) => rows.get(id) ?? [])
        const ordered = chosen.sort(
          (a, b) => a.submittedAt - b.submittedAt || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)
        )
        return { now: now(), rows: ordered } satisfies CellListing
      })
  })
})
