/**
 * The fused contrastive kernel (`ConcnerLabelContrastive`, used by LCL and TCL when the native
 * kernels are active) against the tfjs composite (dense pair weights + `weightedContrastive`, what
 * runs without the addon): same loss and same gradient with respect to the vectors within 1e-4,
 * on random sizes, label sets with and without positives, label relations and temperatures.
 * Skipped, with a note, when the addon is not built.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import type { LabelRelation } from "../../src/losses/labelRelation.js"
import { labelContrastiveLoss } from "../../src/losses/lcl.js"
import { translationContrastiveLoss } from "../../src/losses/tcl.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { disableNativeKernels, enableNativeKernels } from "../../src/runtime/kernels.js"
import { loadNative } from "../../src/runtime/native.js"
import { fusedLabelContrastive, hasFusedLabelContrastive } from "../../src/runtime/nativeKernels.js"
import { tf } from "../../src/runtime/tf.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)
const native = loadNative()
if (!native.loaded) console.warn(`skipping fused contrastive parity: ${native.reason}`)

/** Loss and gradient (flattened) of `loss(x)` at `x`. */
const valueAndGrad = (
  loss: (x: tf.Tensor2D) => tf.Scalar,
  x: ReadonlyArray<number>,
  shape: [number, number]
) =>
  tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad(loss)(tf.tensor2d([...x], shape))
    return { value: value.dataSync()[0]!, grad: Array.from(grad.dataSync()) }
  })

/** `f` with the native kernels (the fused path), then without (the composite), and whether it was fused. */
const both = <A>(f: () => A) => {
  enableNativeKernels()
  const fused = hasFusedLabelContrastive()
  const fast = f()
  disableNativeKernels()
  try {
    expect(hasFusedLabelContrastive()).toBe(false)
    return { fused, fast, composite: f() }
  } finally {
    enableNativeKernels()
  }
}

const close = (got: number, want: number) =>
  expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want)))

const agree = (r: ReturnType<typeof both<{ value: number; grad: Array<number> }>>) => {
  expect(r.fused).toBe(true)
  expect(Number.isFinite(r.fast.value)).toBe(true)
  close(r.fast.value, r.composite.value)
  expect(r.fast.grad.length).toBe(r.composite.grad.length)
  r.fast.grad.forEach((g, i) => close(g, r.composite.grad[i]!))
}

/**
 * Rows on a grid of quarters, none zero: near-zero rows sit at the normalisation's ε clamp, where
 * the gradient is scaled by up to 1/ε and a last-bit difference in the cosines becomes a large
 * absolute one (ill-conditioned, not a disagreement).
 */
const vectors = (rows: number, dim: number) =>
  fc
    .array(
      fc.integer({ min: -12, max: 12 }).map((v) => v / 4),
      { minLength: rows * dim, maxLength: rows * dim }
    )
    .map((x) => {
      for (let r = 0; r < rows; r++) if (x.slice(r * dim, (r + 1) * dim).every((v) => v === 0)) x[r * dim] = 1
      return x
    })

const lclCase = fc
  .record({
    rows: fc.integer({ min: 1, max: 14 }),
    dim: fc.integer({ min: 1, max: 6 }),
    // few labels: most anchors have positives; many: some have none
    classes: fc.integer({ min: 1, max: 9 }),
    temperature: fc.constantFrom(0.05, 0.1, 0.5, 1),
    relation: fc.option(fc.constantFrom(0, 0.3, 1), { nil: undefined })
  })
  .chain((c) =>
    fc.record({
      c: fc.constant(c),
      x: vectors(c.rows, c.dim),
      labels: fc.array(fc.integer({ min: 0, max: c.classes - 1 }), { minLength: c.rows, maxLength: c.rows })
    })
  )

/** BIO-like types: tag 0 alone, tags 2t−1 and 2t share type t. */
const bioTypes = (classes: number) => Array.from({ length: classes }, (_, tag) => Math.ceil(tag / 2))

describe.skipIf(!native.loaded)("fused contrastive kernel (wasm)", () => {
  layer(TensorRuntime.layer({ backend: "wasm" }))("parity with the composite", (it) => {
    it.prop(
      "LCL: loss and gradient match (relations, anchors without positives, temperatures)",
      [lclCase],
      ([{ c, x, labels }]) => {
        const before = tf.memory().numTensors
        const relation: LabelRelation | undefined =
          c.relation === undefined ? undefined : { tagTypes: bioTypes(c.classes), relatedWeight: c.relation }
        const loss = (h: tf.Tensor2D) =>
          labelContrastiveLoss(h, tf.tensor1d(labels, "int32"), {
            temperature: c.temperature,
            ...(relation ? { relation } : {})
          })
        agree(both(() => valueAndGrad(loss, x, [c.rows, c.dim])))
        expect(tf.memory().numTensors).toBe(before)
      },
      { fastCheck: { numRuns, seed: 821 } }
    )

    it.prop(
      "TCL: loss and gradient match",
      [
        fc
          .record({ pairs: fc.integer({ min: 1, max: 8 }), dim: fc.integer({ min: 1, max: 6 }) })
          .chain((c) => fc.record({ c: fc.constant(c), x: vectors(2 * c.pairs, c.dim) }))
      ],
      ([{ c, x }]) => {
        const before = tf.memory().numTensors
        const loss = (r: tf.Tensor2D) => translationContrastiveLoss(r, { temperature: 0.1 })
        agree(both(() => valueAndGrad(loss, x, [2 * c.pairs, c.dim])))
        expect(tf.memory().numTensors).toBe(before)
      },
      { fastCheck: { numRuns, seed: 822 } }
    )

    it.effect("is 0 with a zero gradient when no anchor has a positive; left-out pairs never give NaN", () =>
      Effect.sync(() => {
        const before = tf.memory().numTensors
        const noPositive = valueAndGrad(
          (h) => labelContrastiveLoss(h, tf.tensor1d([0, 1, 2], "int32")),
          [1, 0, 0, 1, 1, 1],
          [3, 2]
        )
        expect(noPositive).toEqual({ value: 0, grad: [0, 0, 0, 0, 0, 0] })
        // τ = 0.01: a left-out pair's exp(s − max) overflows float32 (s_ii = 100, the kept max −100)
        const far = valueAndGrad(
          (h) => labelContrastiveLoss(h, tf.tensor1d([0, 0], "int32"), { temperature: 0.01 }),
          [1, 0, -1, 0],
          [2, 2]
        )
        expect(far.value).toBeCloseTo(0, 6)
        expect(far.grad.every(Number.isFinite)).toBe(true)
        expect(tf.memory().numTensors).toBe(before)
      })
    )

    it.effect("rejects a cosine matrix that does not fit the labels", () =>
      Effect.sync(() => {
        const before = tf.memory().numTensors
        expect(() =>
          tf.tidy(() =>
            fusedLabelContrastive(
              tf.ones([3, 2]),
              tf.tensor1d([0, 1, 0], "int32"),
              tf.tensor1d([0, 1, 0], "int32"),
              0.1,
              0
            )
          )
        ).toThrow(/labelContrastive/)
        expect(tf.memory().numTensors).toBe(before)
      })
    )
  })
})
