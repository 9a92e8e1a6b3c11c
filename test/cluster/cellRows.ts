/** Cell-table rows for the tests of how a grid's progress is shown. */
import { CellRow } from "../../src/cluster/CellStore.js"

/** The listing's time. */
export const now = 100_000

export const row = (fields: Partial<CellRow> & Pick<CellRow, "runId" | "state">) =>
  CellRow.make({
    grid: "g",
    label: `conll en de 64 seed ${fields.runId}`,
    runDir: `/runs/${fields.runId}`,
    runner: null,
    attempts: 0,
    generation: 0,
    stage: null,
    step: 0,
    total: 0,
    submittedAt: 0,
    startedAt: null,
    finishedAt: null,
    leaseUntil: 0,
    error: null,
    ...fields
  })
