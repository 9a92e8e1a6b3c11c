/**
 * Gradients that replace tfjs's own for `Sum` and `Mean` with the same values and less work.
 * tfjs broadcasts dy back to x's shape by multiplying with `ones(x.shape)`: a JS array of x's size
 * allocated, filled and uploaded on every backward pass (a few MB per training step: LCL/TCL's
 * row sums, the losses' means). Here dy is broadcast directly (a `Tile`), and Mean divides before
 * broadcasting. Bit for bit the same: dy · 1 = dy in IEEE arithmetic, and each element of Mean's
 * gradient is the same single division dy / n.
 */
import type { GradConfig, MeanAttrs, SumAttrs, Tensor } from "@tensorflow/tfjs-core"
import { tf } from "./tf.js"

/** dy reshaped to x's rank (reduced axes of size 1), as tfjs's Sum/Mean gradients do. */
const expand = (dy: Tensor, shape: ReadonlyArray<number>, axes: ReadonlyArray<number>): Tensor => {
  const expanded = [...shape]
  for (const a of axes) expanded[a] = 1
  return tf.reshape(dy, expanded)
}

const sumGrad: GradConfig = {
  kernelName: tf.Sum,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const x = saved[0]!
    const axes = tf.util.parseAxisParam((attrs as unknown as SumAttrs).axis, x.shape)
    return { x: () => tf.broadcastTo(expand(dy as Tensor, x.shape, axes), x.shape) }
  }
}

const meanGrad: GradConfig = {
  kernelName: tf.Mean,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const x = saved[0]!
    const axes = tf.util.parseAxisParam((attrs as unknown as MeanAttrs).axis, x.shape)
    const reduceSize = axes.reduce((n, a) => n * x.shape[a]!, 1)
    return {
      x: () => tf.broadcastTo(tf.div(expand(dy as Tensor, x.shape, axes), reduceSize), x.shape)
    }
  }
}

/** The gradient configs registered here (tests check they are the ones in effect). */
export const broadcastGradients: ReadonlyArray<GradConfig> = [sumGrad, meanGrad]

let registered = false

/** Registers the gradients above (global to all backends; idempotent). */
export const registerBroadcastGradients = (): void => {
  if (registered) return
  for (const config of broadcastGradients) tf.registerGradient(config)
  registered = true
}
