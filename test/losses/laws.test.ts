import { FastCheck as fc } from "effect"
import { describe, expect, it } from "vitest"
import { weightedContrastive } from "../../src/losses/contrastive.js"
import { l2Normalize } from "../../src/losses/cosine.js"
import {
  type Laws,
  type PairLoss,
  type TokenLoss,
  lawParameters,
  pairLossLaws,
  tokenLossLaws
} from "../../src/losses/laws.js"
import { referenceLcl, referenceTcl } from "../../src/losses/reference.js"
import { tf } from "../../src/runtime/tf.js"
import { setupLossTests } from "./support.js"

setupLossTests()

// The laws must be able to fail: each broken variant below violates the law named next to it.
const sameLabel = (labels: tf.Tensor1D) => {
  const m = labels.shape[0]
  const eq = tf.cast(tf.equal(tf.expandDims(labels, 1), tf.expandDims(labels, 0)), "float32")
  return tf.mul(eq, tf.sub(tf.ones([m, m]), tf.eye(m))) as tf.Tensor2D
}
const diagonal = (m: number) => tf.eye(m) as tf.Tensor2D

/** Averages over all M anchors, counting those without a positive as 0. */
const meanOverAllAnchors: TokenLoss = (h, labels, tau) =>
  tf.tidy(() => {
    const m = labels.shape[0]
    const z = l2Normalize(h)
    const logits = tf.add(tf.div(tf.matMul(z, z, false, true), tau), tf.mul(tf.eye(m), -1e9))
    const w = sameLabel(labels)
    const per = tf.div(tf.neg(tf.sum(tf.mul(w, tf.logSoftmax(logits, 1)), 1)), tf.maximum(tf.sum(w, 1), 1))
    return tf.mean(per) as tf.Scalar
  })
/** Dot products instead of cosines. */
const dotProduct: TokenLoss = (h, labels, tau) =>
  tf.tidy(() => {
    const m = labels.shape[0]
    return weightedContrastive(
      tf.div(tf.matMul(h, h, false, true), tau) as tf.Tensor2D,
      sameLabel(labels),
      diagonal(m)
    )
  })
/** Normalises by ‖x‖ without ε: a zero vector gives NaN. */
const noEpsilon: TokenLoss = (h, labels, tau) =>
  tf.tidy(() => {
    const z = tf.div(h, tf.sqrt(tf.sum(tf.square(h), 1, true))) as tf.Tensor2D
    return weightedContrastive(
      tf.div(tf.matMul(z, z, false, true), tau) as tf.Tensor2D,
      sameLabel(labels),
      diagonal(labels.shape[0])
    )
  })
/** The diagonal masked with −∞: 0 · −∞ = NaN in the weighted sum. */
const minusInfinity: TokenLoss = (h, labels, tau) =>
  tf.tidy(() => {
    const m = labels.shape[0]
    const z = l2Normalize(h)
    const logits = tf.where(
      tf.cast(tf.eye(m), "bool"),
      tf.fill([m, m], Number.NEGATIVE_INFINITY),
      tf.div(tf.matMul(z, z, false, true), tau)
    )
    const w = sameLabel(labels)
    const per = tf.div(tf.neg(tf.sum(tf.mul(w, tf.logSoftmax(logits, 1)), 1)), tf.maximum(tf.sum(w, 1), 1))
    const has = tf.cast(tf.greater(tf.sum(w, 1), 0), "float32")
    return tf.div(tf.sum(tf.mul(per, has)), tf.maximum(tf.sum(has), 1)) as tf.Scalar
  })
/** Pairs row i with row i + 1 instead of i + N. */
const wrongPartner: PairLoss = (r, tau) =>
  tf.tidy(() => {
    const rows = r.shape[0]
    const z = l2Normalize(r)
    const partner = Array.from({ length: rows }, (_, i) => (i + 1) % rows)
    const w = tf.cast(tf.oneHot(tf.tensor1d(partner, "int32"), rows), "float32") as tf.Tensor2D
    return weightedContrastive(
      tf.div(tf.matMul(z, z, false, true), tau) as tf.Tensor2D,
      tf.mul(w, tf.sub(1, tf.eye(rows))) as tf.Tensor2D,
      diagonal(rows)
    )
  })

const fails = (laws: Laws, name: string) => {
  const law = laws[name]
  expect(law, name).toBeDefined()
  expect(fc.check(law!, { ...lawParameters(), numRuns: 200 }).failed).toBe(true)
}

describe("the laws catch broken variants", () => {
  it("counting anchors without a positive breaks 'contributes nothing' and the reference", () => {
    const laws = tokenLossLaws(meanOverAllAnchors, { reference: referenceLcl })
    fails(laws, "an anchor with no positive contributes nothing")
    fails(laws, "agrees with a naive float64 reference")
  })
  it("dot products break rescaling invariance", () => {
    fails(tokenLossLaws(dotProduct), "positive rescaling of vectors leaves it unchanged")
  })
  it("normalising without ε and masking with −∞ break finiteness", () => {
    fails(tokenLossLaws(noEpsilon), "value and gradient are finite (zero and duplicate vectors, τ ≥ 0.05)")
    fails(
      tokenLossLaws(minusInfinity),
      "value and gradient are finite (zero and duplicate vectors, τ ≥ 0.05)"
    )
  })
  it("the wrong translation partner breaks pair permutation invariance, separation and the reference", () => {
    const laws = pairLossLaws(wrongPartner, { reference: referenceTcl })
    fails(laws, "permuting the pairs leaves it unchanged")
    fails(laws, "perfect separation drives it to 0 as τ → small")
    fails(laws, "agrees with a naive float64 reference")
  })
})
