import { describe, expect, it } from "vitest"
import { firstSubwordVectors, labelPositions, meanPool } from "../../src/losses/pooling.js"
import { tf } from "../../src/runtime/tf.js"
import { setupLossTests } from "./support.js"

setupLossTests()

describe("meanPool / firstSubwordVectors", () => {
  // [B = 2, T = 3, d = 2]
  const hiddenValues = [
    [
      [1, 2],
      [3, 4],
      [100, 100]
    ],
    [
      [5, 6],
      [7, 8],
      [9, 10]
    ]
  ]

  it("meanPool averages real positions only; an all-padding row gives a zero vector", () => {
    const hidden = tf.tensor3d(hiddenValues)
    const mask = tf.tensor2d(
      [
        [1, 1, 0],
        [0, 0, 0]
      ],
      undefined,
      "int32"
    )
    const before = tf.memory().numTensors
    const pooled = meanPool(hidden, mask)
    expect(tf.memory().numTensors).toBe(before + 1)
    expect(pooled.arraySync()).toEqual([
      [2, 3],
      [0, 0]
    ])
    tf.dispose([hidden, mask, pooled])
  })

  it("labelPositions + firstSubwordVectors pick the rows whose label is not −100, in order", () => {
    const hidden = tf.tensor3d(hiddenValues)
    const labels = tf.tensor2d(
      [
        [3, -100, -100],
        [-100, 0, 4]
      ],
      undefined,
      "int32"
    )
    const picked = labelPositions(labels)
    expect(Array.from(picked.positions.dataSync())).toEqual([0, 4, 5])
    expect(Array.from(picked.labels.dataSync())).toEqual([3, 0, 4])
    const vectors = firstSubwordVectors(hidden, picked.positions)
    expect(vectors.arraySync()).toEqual([
      [1, 2],
      [7, 8],
      [9, 10]
    ])
    // gradient flows back to exactly the picked positions
    const g = tf.grad((h: tf.Tensor) => tf.sum(firstSubwordVectors(h as tf.Tensor3D, picked.positions)))(
      hidden
    )
    expect(g.arraySync()).toEqual([
      [
        [1, 1],
        [0, 0],
        [0, 0]
      ],
      [
        [0, 0],
        [1, 1],
        [1, 1]
      ]
    ])
    tf.dispose([hidden, labels, picked.positions, picked.labels, vectors, g])
  })

  it("rejects a mask of the wrong shape", () => {
    const hidden = tf.zeros([2, 3, 4]) as tf.Tensor3D
    const mask = tf.ones([2, 2]) as tf.Tensor2D
    expect(() => meanPool(hidden, mask)).toThrow(/meanPool: expected/)
    tf.dispose([hidden, mask])
  })
})
