/** The shared data root for tests, and whether it is there (tests that need it skip otherwise). */
import { existsSync } from "node:fs"
import * as path from "node:path"

export const dataRoot = path.resolve(process.env.CONCNER_DATA ?? "../shared/data")
export const hasData = existsSync(path.join(dataRoot, "conll/en/train.txt"))
if (!hasData)
  console.warn(`[concner tests] ${dataRoot} not found: tests on real data are skipped (set CONCNER_DATA)`)
