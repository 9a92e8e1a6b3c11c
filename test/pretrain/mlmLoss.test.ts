import { beforeAll, describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { mlmLoss } from "../../src/pretrain/mlmHead.js"
import { type Tensor, type Tensor2D, tf } from "../../src/runtime/tf.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)
const seed = 20261126

/** Mean over rows of −log softmax(row)[label], and its gradient (softmax − onehot) / M, in float64. */
const naive = (rows: ReadonlyArray<ReadonlyArray<number>>, labels: ReadonlyArray<number>) => {
  const grad: Array<Array<number>> = []
  let loss = 0
  rows.forEach((row, i) => {
    const max = Math.max(...row)
    const z = row.reduce((s, x) => s + Math.exp(x - max), 0)
    loss += -(row[labels[i]!]! - max - Math.log(z))
    grad.push(row.map((x, j) => (Math.exp(x - max) / z - (j === labels[i] ? 1 : 0)) / rows.length))
  })
  return { loss: loss / rows.length, grad }
}

const batch = fc
  .record({ m: fc.integer({ min: 1, max: 6 }), v: fc.integer({ min: 2, max: 40 }) })
  .chain(({ m, v }) =>
    fc.record({
      rows: fc.array(fc.array(fc.float({ min: -8, max: 8, noNaN: true }), { minLength: v, maxLength: v }), {
        minLength: m,
        maxLength: m
      }),
      labels: fc.array(fc.integer({ min: 0, max: v - 1 }), { minLength: m, maxLength: m })
    })
  )

beforeAll(async () => {
  await tf.setBackend("cpu")
})

describe("mlmLoss", () => {
  it.prop(
    "is the mean cross-entropy at the labels, with softmax − onehot as its gradient",
    [batch],
    ([{ rows, labels }]) => {
      const before = tf.memory().numTensors
      const logits = tf.tensor2d(rows.map((r) => [...r]))
      const y = tf.tensor1d([...labels], "int32")
      const { value, grad } = tf.valueAndGrad((x: Tensor) => mlmLoss(x as Tensor2D, y))(logits)
      const expected = naive(rows, labels)
      expect(value.dataSync()[0]).toBeCloseTo(expected.loss, 4)
      const got = grad.arraySync() as Array<Array<number>>
      got.forEach((row, i) => row.forEach((g, j) => expect(g).toBeCloseTo(expected.grad[i]![j]!, 5)))
      tf.dispose([logits, y, value, grad])
      expect(tf.memory().numTensors).toBe(before)
    },
    { fastCheck: { numRuns, seed } }
  )
})
