/**
 * Activation checkpointing: a layer recomputed in the backward pass gives the plain layer's output
 * and gradients (same kernels, same dropout masks), and a training step through it frees its tensors.
 */
import { fileURLToPath } from "node:url"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { additiveMask } from "../../src/model/attention.js"
import { loadCheckpoint } from "../../src/model/checkpoint.js"
import { checkpointedLayer } from "../../src/model/checkpointedLayer.js"
import { bertLayer } from "../../src/model/layer.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { tf } from "../../src/runtime/tf.js"

const SMALL = fileURLToPath(new URL("../fixtures/xlmr/small", import.meta.url))

for (const backend of ["cpu", "wasm"] as const)
  layer(TensorRuntime.layer({ backend }))(`checkpointed layer on ${backend}`, (it) => {
    it.scoped("the plain layer's output and gradients, in training mode with dropout", () =>
      Effect.gen(function* () {
        const { config, params } = yield* loadCheckpoint(SMALL)
        const name = "roberta.encoder.layer.1"
        const keys = Object.keys(params).filter((k) => k.startsWith(`${name}.`))
        const mode = { training: true, seed: "7/3" }
        const x = tf.randomNormal([2, 5, config.hiddenSize], 0, 1, "float32", 3) as tf.Tensor3D
        const mask = tf.tidy(() =>
          additiveMask(
            tf.tensor2d(
              [
                [1, 1, 1, 1, 1],
                [1, 1, 1, 0, 0]
              ],
              undefined,
              "int32"
            )
          )
        )
        const weight = tf.randomNormal([2, 5, config.hiddenSize], 0, 1, "float32", 4)
        const gradsOf = (f: typeof bertLayer) =>
          tf.grads((h: tf.Tensor, ...ws: Array<tf.Tensor>) => {
            const ps = { ...params, ...Object.fromEntries(keys.map((k, i) => [k, ws[i]!])) }
            return tf.sum(tf.mul(f(ps as typeof params, config, name, h as tf.Tensor3D, mask, mode), weight))
          })([x, ...keys.map((k) => params[k]!)])
        const before = tf.memory().numTensors
        const plain = gradsOf(bertLayer)
        const checkpointed = gradsOf(checkpointedLayer)
        expect(tf.memory().numTensors).toBe(before + 2 * (keys.length + 1))
        plain.forEach((g, i) => {
          const a = g.dataSync()
          const b = checkpointed[i]!.dataSync()
          expect(b.every((v, j) => Math.abs(v - a[j]!) <= 1e-6 * (1 + Math.abs(a[j]!)))).toBe(true)
        })
        const [outPlain, outCheckpointed] = tf.tidy(() => [
          bertLayer(params, config, name, x, mask, mode).arraySync(),
          checkpointedLayer(params, config, name, x, mask, mode).arraySync()
        ])
        expect(outCheckpointed).toEqual(outPlain)
        tf.dispose([...plain, ...checkpointed, x, mask, weight])
      }).pipe(Effect.provide(NodeContext.layer))
    )
  })
