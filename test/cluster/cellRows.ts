/** Cell-table rows for the tests of how a grid's progress is shown. */
import { CellRow, queuedRow } from "../../src/cluster/CellStore.js"

/** The listing's time. */
export const now = 100_000

export const row = (fields: Partial<CellRow> & Pick<CellRow, "runId" | "state">) =>
  CellRow.make({
    ...queuedRow(
      {
        runId: fields.runId,
        grid: "g",
        label: `conll en de 64 seed ${fields.runId}`,
        runDir: `/runs/${fields.runId}`
      },
      0
    ),
    ...fields
  })

/** One cell done in 40 s; one a quarter through its 16 steps after 10 s (30 s left); two queued. */
export const listing = {
  now,
  rows: [
    row({ runId: "1", state: "done", startedAt: 0, finishedAt: 40_000 }),
    row({
      runId: "2",
      state: "running",
      runner: "a:1",
      stage: "teacher",
      step: 4,
      total: 16,
      startedAt: now - 10_000,
      leaseUntil: now + 20_000
    }),
    row({ runId: "3", state: "queued" }),
    row({ runId: "4", state: "queued" })
  ]
}
