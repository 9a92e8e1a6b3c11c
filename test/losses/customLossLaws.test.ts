import { lawParameters } from "concner"
import { FastCheck as fc } from "effect"
import { describe, it } from "vitest"
import { multiScaleLclLaws } from "../../experiments/custom-loss-laws.js"
import { setupLossTests } from "./support.js"

setupLossTests()

// the documented example in experiments/ keeps working, through the package root
describe("experiments/custom-loss-laws.ts: a user's multi-scale LCL", () => {
  for (const [name, law] of Object.entries(multiScaleLclLaws)) it(name, () => fc.assert(law, lawParameters()))
})
