import { FastCheck as fc } from "effect"
import { describe, expect, it } from "vitest"
import { IGNORE_INDEX } from "../../src/data/labels.js"
import { tokenCrossEntropy } from "../../src/losses/crossEntropy.js"
import { distillationHard, distillationKl, distillationMse } from "../../src/losses/distillation.js"
import { lawParameters } from "../../src/losses/laws.js"
import { referenceCrossEntropy, referenceDistillationMse } from "../../src/losses/reference.js"
import { tf } from "../../src/runtime/tf.js"
import { setupLossTests } from "./support.js"

setupLossTests()

const close = (got: number, want: number) => Math.abs(got - want) <= 1e-4 * Math.abs(want) + 1e-6

/** [B, T, C] logits and [B, T] labels with ignored positions, including all-ignored sentences. */
const sequenceBatch = fc
  .record({
    b: fc.integer({ min: 1, max: 4 }),
    t: fc.integer({ min: 1, max: 6 }),
    c: fc.integer({ min: 1, max: 5 })
  })
  .chain(({ b, t, c }) =>
    fc.record({
      c: fc.constant(c),
      logits: fc.array(
        fc.array(fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: c, maxLength: c }), {
          minLength: t,
          maxLength: t
        }),
        { minLength: b, maxLength: b }
      ),
      labels: fc.array(
        fc.array(fc.oneof(fc.nat(c - 1), fc.constant(IGNORE_INDEX)), { minLength: t, maxLength: t }),
        { minLength: b, maxLength: b }
      )
    })
  )

const softmax = (z: ReadonlyArray<number>) => {
  const m = Math.max(...z)
  const e = z.map((v) => Math.exp(v - m))
  const s = e.reduce((a, v) => a + v, 0)
  return e.map((v) => v / s)
}
const probs = (logits: number[][][]) => logits.map((s) => s.map(softmax))

describe("tokenCrossEntropy (eq. 3)", () => {
  it("is 0 with a zero gradient for a single class, and a typed error for none", () => {
    const logits = tf.tensor3d([[[3], [-2]]])
    const labels = tf.tensor2d([[0, IGNORE_INDEX]], [1, 2], "int32")
    const v = tf.variable(logits)
    const { value, grads } = tf.variableGrads(() => tokenCrossEntropy(v as tf.Tensor3D, labels), [v])
    expect(value.dataSync()[0]).toBe(0)
    expect(Array.from(Object.values(grads)[0]!.dataSync(), Math.abs)).toStrictEqual([0, 0])
    tf.dispose([v, value, ...Object.values(grads)])
    const none = tf.zeros([1, 2, 0]) as tf.Tensor3D
    expect(() => tokenCrossEntropy(none, labels)).toThrow(/0 classes/)
    tf.dispose([logits, labels, none])
  })

  it("matches a value worked out by hand", () => {
    // sentence 0: token 0 → −log(1/2); token 1 ignored. sentence 1: ln 3 vs 0, label 0 → log(4/3)
    // and token 1 label 1 at equal logits → log 2; its mean (log(4/3) + log 2)/2. Sentence 2 has
    // no labeled token and is left out: CE = (log 2 + (log(4/3) + log 2)/2) / 2
    const logits = tf.tensor3d([
      [
        [0, 0],
        [5, 1]
      ],
      [
        [Math.log(3), 0],
        [0, 0]
      ],
      [
        [1, 2],
        [3, 4]
      ]
    ])
    const labels = tf.tensor2d(
      [
        [0, -100],
        [0, 1],
        [-100, -100]
      ],
      undefined,
      "int32"
    )
    const want = (Math.log(2) + (Math.log(4 / 3) + Math.log(2)) / 2) / 2
    expect(tokenCrossEntropy(logits, labels).dataSync()[0]).toBeCloseTo(want, 6)
    const none = tf.fill([1, 2], -100, "int32") as tf.Tensor2D
    expect(tokenCrossEntropy(tf.slice(logits, [0, 0, 0], [1, 2, 2]), none).dataSync()[0]).toBe(0)
    tf.dispose([logits, labels, none])
  })

  it("agrees with the float64 reference and has finite gradients", () => {
    fc.assert(
      fc.property(sequenceBatch, ({ logits, labels }) =>
        tf.tidy(() => {
          const x = tf.tensor3d(logits)
          const y = tf.tensor2d(labels, undefined, "int32")
          const g = tf.grad((l: tf.Tensor) => tokenCrossEntropy(l as tf.Tensor3D, y))(x)
          const got = tokenCrossEntropy(x, y).dataSync()[0]!
          return close(got, referenceCrossEntropy(logits, labels)) && g.dataSync().every(Number.isFinite)
        })
      ),
      lawParameters()
    )
  })

  it("rejects a label out of range, naming its position", () => {
    const logits = tf.zeros([1, 2, 3]) as tf.Tensor3D
    const labels = tf.tensor2d([[0, 3]], undefined, "int32")
    expect(() => tokenCrossEntropy(logits, labels)).toThrow(/label 3 at \[0, 1\]/)
    tf.dispose([logits, labels])
  })

  it("leaks nothing but its result", () => {
    const logits = tf.randomNormal([2, 3, 4], 0, 1, "float32", 1) as tf.Tensor3D
    const labels = tf.tensor2d(
      [
        [0, 1, -100],
        [3, -100, -100]
      ],
      undefined,
      "int32"
    )
    const before = tf.memory().numTensors
    tokenCrossEntropy(logits, labels).dispose()
    expect(tf.memory().numTensors).toBe(before)
    tf.dispose([logits, labels])
  })
})

describe("distillation losses (eq. 9 and variants)", () => {
  const kdBatch = fc
    .tuple(
      sequenceBatch,
      fc.array(fc.double({ min: -8, max: 8, noNaN: true }), { minLength: 120, maxLength: 120 })
    )
    .map(([{ logits, labels }, noise]) => ({
      student: probs(logits),
      teacher: probs(
        logits.map((s, b) => s.map((z, t) => z.map((v, c) => v + noise[(b * 31 + t * 5 + c) % 120]!)))
      ),
      mask: labels.map((row) => row.map((y) => (y === IGNORE_INDEX ? 0 : 1)))
    }))

  it("MSE matches a value worked out by hand", () => {
    // token 0: (0.5−1)² + (0.5−0)² over 2 classes = 0.25; token 1 masked out
    const s = tf.tensor3d([
      [
        [0.5, 0.5],
        [1, 0]
      ]
    ])
    const t = tf.tensor3d([
      [
        [1, 0],
        [0, 1]
      ]
    ])
    const mask = tf.tensor2d([[1, 0]])
    expect(distillationMse(s, t, mask).dataSync()[0]).toBeCloseTo(0.25, 6)
    // KL(t ‖ s) at token 0 = 1·log(1/0.5); hard label = −log 0.5: both log 2
    expect(distillationKl(s, t, mask).dataSync()[0]).toBeCloseTo(Math.log(2), 6)
    expect(distillationHard(s, t, mask).dataSync()[0]).toBeCloseTo(Math.log(2), 6)
    tf.dispose([s, t, mask])
  })

  it("MSE agrees with the float64 reference; all three are finite with finite gradients and 0 at s = t", () => {
    fc.assert(
      fc.property(kdBatch, ({ student, teacher, mask }) =>
        tf.tidy(() => {
          const s = tf.tensor3d(student)
          const t = tf.tensor3d(teacher)
          const m = tf.tensor2d(mask)
          const mse = distillationMse(s, t, m).dataSync()[0]!
          const finite = [distillationMse, distillationKl, distillationHard].every((loss) => {
            const g = tf.grad((x: tf.Tensor) => loss(x as tf.Tensor3D, t, m))(s)
            return Number.isFinite(loss(s, t, m).dataSync()[0]) && g.dataSync().every(Number.isFinite)
          })
          const selfKl = distillationKl(t, t, m).dataSync()[0]!
          const selfMse = distillationMse(t, t, m).dataSync()[0]!
          return (
            close(mse, referenceDistillationMse(student, teacher, mask)) &&
            finite &&
            Math.abs(selfKl) < 1e-5 &&
            selfMse === 0
          )
        })
      ),
      lawParameters()
    )
  })

  it("rejects mismatched shapes", () => {
    const s = tf.zeros([1, 2, 3]) as tf.Tensor3D
    const t = tf.zeros([1, 2, 4]) as tf.Tensor3D
    const m = tf.ones([1, 2]) as tf.Tensor2D
    expect(() => distillationMse(s, t, m)).toThrow(/distillationMse: expected/)
    tf.dispose([s, t, m])
  })
})
