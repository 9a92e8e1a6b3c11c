import { type TokenLoss, labelContrastiveLoss, lawParameters, tf, tokenLossLaws } from "concner"
import { assertLaws } from "concner/losses"
import { FastCheck as fc } from "effect"
import { describe, expect, it } from "vitest"
import { multiScaleLclLaws } from "../../experiments/custom-loss-laws.js"
import { setupLossTests } from "./support.js"

setupLossTests()

// the documented example in experiments/ keeps working, through the package root
describe("experiments/custom-loss-laws.ts: a user's multi-scale LCL", () => {
  for (const [name, law] of Object.entries(multiScaleLclLaws)) it(name, () => fc.assert(law, lawParameters()))
})

describe("assertLaws", () => {
  it("passes a variant that obeys the laws, and names the law a broken one fails", () => {
    assertLaws(multiScaleLclLaws)
    // a loss that depends on the order of the tokens: permutation invariance must catch it
    const ordered: TokenLoss = (h, labels, t) =>
      tf.tidy(() =>
        tf.add(
          labelContrastiveLoss(h, labels, { temperature: t }),
          tf.mul(0.1, tf.sum(tf.slice(h, [0, 0], [1, 1])))
        )
      )
    expect(() => assertLaws(tokenLossLaws(ordered))).toThrow(/^the law "[^"]+" fails: /)
  })
})
