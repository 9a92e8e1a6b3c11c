import { FastCheck as fc } from "effect"
import { describe, expect, it } from "vitest"
import { entityTypesOfTags } from "../../src/losses/labelRelation.js"
import {
  type TokenBatch,
  lawParameters,
  tokenBatchArb,
  tokenLossLaws,
  tokenLossValue
} from "../../src/losses/laws.js"
import { labelContrastiveLoss } from "../../src/losses/lcl.js"
import { referenceLcl } from "../../src/losses/reference.js"
import { tf } from "../../src/runtime/tf.js"
import { setupLossTests } from "./support.js"

setupLossTests()

const lcl = (h: tf.Tensor2D, y: tf.Tensor1D, temperature: number) =>
  labelContrastiveLoss(h, y, { temperature })
const value = (vectors: number[][], labels: number[], temperature = 0.1) =>
  tokenLossValue(lcl, { vectors, labels }, temperature)

describe("labelContrastiveLoss (eqs. 4–5)", () => {
  it("matches a value worked out by hand", () => {
    // τ = 1; anchors 0 and 1 share label 0 at cosine 1, token 2 (label 1) is orthogonal and has
    // no positive: L_0 = L_1 = −log(e / (e + e⁰)) = log(1 + e⁻¹); token 2 is left out of the mean
    expect(
      value(
        [
          [1, 0],
          [2, 0],
          [0, 3]
        ],
        [0, 0, 1],
        1
      )
    ).toBeCloseTo(Math.log(1 + Math.exp(-1)), 6)
  })

  it("is 0, not NaN, when no anchor has a positive, and for 0 or 1 tokens", () => {
    expect(
      value(
        [
          [1, 0],
          [0, 1],
          [1, 1]
        ],
        [0, 1, 2]
      )
    ).toBe(0)
    expect(value([[1, 2]], [3])).toBe(0)
    expect(tokenLossValue(lcl, { vectors: [], labels: [] }, 0.1)).toBe(0)
  })

  it("keeps a zero vector finite (cosine 0 with everything)", () => {
    // the zero vector has cosine 0 with everything and tokens 1, 2 are orthogonal: each of the
    // anchors 0, 1 sees its positive and its negative at cosine 0 ⇒ −log(1/2) each
    expect(
      value(
        [
          [0, 0],
          [1, 0],
          [0, 1]
        ],
        [0, 0, 1],
        1
      )
    ).toBeCloseTo(Math.log(2), 6)
  })

  const laws = tokenLossLaws(lcl, { reference: referenceLcl })
  for (const [name, law] of Object.entries(laws)) it(name, () => fc.assert(law, lawParameters()))

  it("agrees with the float64 reference on larger batches (M up to 64, d up to 32)", () => {
    fc.assert(
      fc.property(
        tokenBatchArb({ minTokens: 16, maxTokens: 64, maxDim: 32 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        (b, tau) => {
          const got = tokenLossValue(lcl, b, tau)
          const want = referenceLcl(b.vectors, b.labels, tau)
          return Math.abs(got - want) <= 1e-4 * Math.abs(want) + 1e-6
        }
      ),
      { ...lawParameters(7), numRuns: Math.max(10, Math.floor(lawParameters().numRuns! / 10)) }
    )
  })

  it("leaks nothing but its result and neither disposes nor changes its inputs", () => {
    const h = tf.tensor2d([
      [1, 0],
      [0.5, 0.5],
      [0, 1],
      [0, 0]
    ])
    const y = tf.tensor1d([0, 0, 1, 1], "int32")
    const before = tf.memory().numTensors
    const loss = labelContrastiveLoss(h, y)
    expect(tf.memory().numTensors).toBe(before + 1)
    tf.grad((x: tf.Tensor) => labelContrastiveLoss(x as tf.Tensor2D, y))(h).dispose()
    expect(tf.memory().numTensors).toBe(before + 1)
    loss.dispose()
    expect(h.isDisposed || y.isDisposed).toBe(false)
    expect(Array.from(h.dataSync())).toEqual([1, 0, 0.5, 0.5, 0, 1, 0, 0])
    tf.dispose([h, y])
  })

  it("rejects mismatched shapes and a non-positive temperature", () => {
    const h = tf.zeros([3, 2]) as tf.Tensor2D
    const y = tf.tensor1d([0, 1], "int32")
    expect(() => labelContrastiveLoss(h, y)).toThrow(/labels \[M\]/)
    expect(() => labelContrastiveLoss(h, tf.tensor1d([0, 1, 1], "int32"), { temperature: 0 })).toThrow(
      /temperature/
    )
    tf.dispose([h, y])
  })
})

describe("label-relation-aware LCL", () => {
  // O, B-PER, I-PER, B-LOC, I-LOC
  const tagTypes = entityTypesOfTags(["O", "B-PER", "I-PER", "B-LOC", "I-LOC"])
  const relationLcl = (relatedWeight: number) => (h: tf.Tensor2D, y: tf.Tensor1D, temperature: number) =>
    labelContrastiveLoss(h, y, { temperature, relation: { tagTypes, relatedWeight } })
  const refWith =
    (relatedWeight: number) =>
    (h: ReadonlyArray<ReadonlyArray<number>>, y: ReadonlyArray<number>, tau: number) =>
      referenceLcl(h, y, tau, { tagTypes, relatedWeight })
  const tagBatches = tokenBatchArb({ labels: (m) => fc.array(fc.nat(4), { minLength: m, maxLength: m }) })

  it("maps B-X and I-X to one entity type and O to its own", () => {
    expect(entityTypesOfTags(["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "S-PER"])).toEqual([0, 1, 1, 2, 2, 1])
  })

  it("masking (weight 0): a B/I pair is neither pulled nor pushed", () => {
    // tokens 0, 1: B-PER (positives of each other); token 2: I-PER at cosine 1 with token 0.
    // Plain LCL counts token 2 as a negative; the masked rule drops it from the denominators.
    const vectors = [
      [1, 0],
      [0.6, 0.8],
      [1, 0]
    ]
    const labels = [1, 1, 2]
    const tau = 1
    const plain = value(vectors, labels, tau)
    const masked = tokenLossValue(relationLcl(0), { vectors, labels }, tau)
    // masked: each of 0, 1 has only its positive left in the denominator ⇒ −log 1 = 0
    expect(masked).toBeCloseTo(0, 6)
    expect(plain).toBeGreaterThan(0.1)
  })

  it("with every tag its own type it is plain LCL", () => {
    fc.assert(
      fc.property(tokenBatchArb(), fc.double({ min: 0.05, max: 1, noNaN: true }), (b, tau) => {
        const own = Array.from({ length: 1 + Math.max(...b.labels, 0) }, (_, i) => i)
        const related = tokenLossValue(
          (h, y, t) =>
            labelContrastiveLoss(h, y, { temperature: t, relation: { tagTypes: own, relatedWeight: 0.5 } }),
          b,
          tau
        )
        return Math.abs(related - tokenLossValue(lcl, b, tau)) <= 1e-5
      }),
      lawParameters()
    )
  })

  it("weight 1 equals plain LCL on entity types", () => {
    fc.assert(
      fc.property(tagBatches, fc.double({ min: 0.05, max: 1, noNaN: true }), (b: TokenBatch, tau) => {
        const byType = { vectors: b.vectors, labels: b.labels.map((y) => tagTypes[y]!) }
        const related = tokenLossValue(relationLcl(1), b, tau)
        return Math.abs(related - tokenLossValue(lcl, byType, tau)) <= 1e-5 + 1e-4 * Math.abs(related)
      }),
      lawParameters()
    )
  })

  for (const w of [0, 0.3]) {
    const laws = tokenLossLaws(relationLcl(w), { reference: refWith(w), batches: tagBatches })
    for (const name of [
      "agrees with a naive float64 reference",
      "permutation of the tokens leaves it unchanged",
      "positive rescaling of vectors leaves it unchanged",
      "is non-negative",
      "value and gradient are finite (zero and duplicate vectors, τ ≥ 0.05)"
    ])
      it(`relatedWeight ${w}: ${name}`, () => fc.assert(laws[name]!, lawParameters()))
  }

  it("rejects a label with no entry in tagTypes and a weight outside [0, 1]", () => {
    const h = tf.zeros([2, 2]) as tf.Tensor2D
    const y = tf.tensor1d([0, 7], "int32")
    expect(() => labelContrastiveLoss(h, y, { relation: { tagTypes } })).toThrow(/label 7 at token 1/)
    expect(() =>
      labelContrastiveLoss(h, y, { relation: { tagTypes: [0, 1, 2, 3, 4, 5, 6, 7], relatedWeight: 2 } })
    ).toThrow(/relatedWeight/)
    tf.dispose([h, y])
  })

  it("is 0 when every anchor's only candidates are masked", () => {
    // B-PER and I-PER only: no positive for either, related pair masked
    expect(
      tokenLossValue(
        relationLcl(0),
        {
          vectors: [
            [1, 0],
            [0, 1]
          ],
          labels: [1, 2]
        },
        0.1
      )
    ).toBe(0)
  })
})
