import { FastCheck as fc } from "effect"
import { describe, expect, it } from "vitest"
import { lawParameters, pairBatchArb, pairLossLaws, pairLossValue } from "../../src/losses/laws.js"
import { referenceTcl } from "../../src/losses/reference.js"
import { translationContrastiveLoss } from "../../src/losses/tcl.js"
import { tf } from "../../src/runtime/tf.js"
import { setupLossTests } from "./support.js"

setupLossTests()

const tcl = (r: tf.Tensor2D, temperature: number) => translationContrastiveLoss(r, { temperature })

describe("translationContrastiveLoss (eqs. 6–7)", () => {
  it("matches a value worked out by hand", () => {
    // N = 2, τ = 1: each row has its pair at cosine 1 and the other two rows at cosine 0
    // ⇒ L_i = −log(e / (e + 2)) = log(1 + 2/e) for all four rows
    const r = [
      [1, 0],
      [0, 2],
      [3, 0],
      [0, 1]
    ]
    expect(pairLossValue(tcl, { vectors: r }, 1)).toBeCloseTo(Math.log(1 + 2 / Math.E), 6)
  })

  it("is log(2N − 1) when all rows are equal, and finite for all-zero rows", () => {
    const same = Array.from({ length: 6 }, () => [0.3, -1])
    expect(pairLossValue(tcl, { vectors: same }, 0.05)).toBeCloseTo(Math.log(5), 5)
    const zeros = Array.from({ length: 4 }, () => [0, 0])
    expect(pairLossValue(tcl, { vectors: zeros }, 0.05)).toBeCloseTo(Math.log(3), 5)
  })

  const laws = pairLossLaws(tcl, { reference: referenceTcl })
  for (const [name, law] of Object.entries(laws)) it(name, () => fc.assert(law, lawParameters()))

  it("agrees with the float64 reference on batch-sized inputs (2N up to 64, d up to 32)", () => {
    fc.assert(
      fc.property(
        pairBatchArb({ maxPairs: 32, maxDim: 32 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        (b, tau) => {
          const want = referenceTcl(b.vectors, tau)
          return Math.abs(pairLossValue(tcl, b, tau) - want) <= 1e-4 * Math.abs(want) + 1e-6
        }
      ),
      { ...lawParameters(11), numRuns: Math.max(10, Math.floor(lawParameters().numRuns! / 10)) }
    )
  })

  it("leaks nothing but its result, and rejects an odd number of rows", () => {
    const r = tf.tensor2d([
      [1, 0],
      [0, 1],
      [1, 1],
      [0, 0]
    ])
    const before = tf.memory().numTensors
    const loss = translationContrastiveLoss(r)
    tf.grad((x: tf.Tensor) => translationContrastiveLoss(x as tf.Tensor2D))(r).dispose()
    expect(tf.memory().numTensors).toBe(before + 1)
    loss.dispose()
    expect(r.isDisposed).toBe(false)
    const odd = tf.zeros([3, 2]) as tf.Tensor2D
    expect(() => translationContrastiveLoss(odd)).toThrow(/\[2N, d\]/)
    tf.dispose([r, odd])
  })
})
