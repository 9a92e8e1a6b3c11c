/**
 * The building blocks every BERT module shares, with HF's numerics: `nn.Linear` on torch-layout
 * weights, `nn.LayerNorm` (biased variance, eps inside the square root), `ACT2FN` activations, and
 * `nn.Dropout` that is active in training only and seeded per call site.
 */
import { dropoutMaskValues } from "../runtime/dropoutMask.js"
import { fusedDropout, fusedGelu, fusedLayerNorm, fusedLinear } from "../runtime/nativeKernels.js"
import { type Tensor, tf } from "../runtime/tf.js"
import type { HiddenAct } from "./config.js"
import { type BertParams, param } from "./params.js"

/**
 * How a forward pass runs. Training needs a seed: each dropout site draws its mask from
 * `${seed}/${site}`, so a step is reproducible; vary the seed per step (e.g. `${run}/${step}`).
 */
export type ForwardMode =
  | { readonly training: false }
  | { readonly training: true; readonly seed: string | number }

export const EVAL: ForwardMode = { training: false }

/**
 * `nn.Linear` named `name`: `x W^T + b` with `W` stored `[out, in]`; `x` is `(..., in)`. In an
 * evaluation pass (`mode` not training; without a mode, differentiable) the bias is added in the GEMM's epilogue where the native kernels are registered (the
 * same float32 addition after the same product: the same bits, one pass less).
 */
export const linear = (params: BertParams, name: string, x: Tensor, mode?: ForwardMode): Tensor => {
  const weight = param(params, `${name}.weight`)
  const bias = param(params, `${name}.bias`)
  const [out, inp] = weight.shape as [number, number]
  const flat = tf.reshape(x, [-1, inp]) // (N, in)
  const y =
    (mode?.training === false ? fusedLinear(flat, weight, bias) : undefined) ??
    tf.add(tf.matMul(flat, weight, false, true), bias) // (N, out)
  return tf.reshape(y, [...x.shape.slice(0, -1), out])
}

/** `nn.LayerNorm` named `name` over the last axis. */
export const layerNorm = (params: BertParams, name: string, x: Tensor, eps: number): Tensor => {
  const fused = fusedLayerNorm(x, param(params, `${name}.weight`), param(params, `${name}.bias`), eps)
  if (fused !== undefined) return fused // one pass each way when the native kernels are registered
  const { mean, variance } = tf.moments(x, -1, true)
  const normed = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)))
  return tf.add(tf.mul(normed, param(params, `${name}.weight`)), param(params, `${name}.bias`))
}

const SQRT_HALF = Math.SQRT1_2
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI)

/**
 * HF's `ACT2FN`: `gelu` is the exact `0.5 x (1 + erf(x / √2))` (tfjs registers `Erf` and its gradient),
 * `gelu_new` the tanh approximation. Kept in one place so a fused kernel can replace it.
 */
export const activation = (act: HiddenAct, x: Tensor): Tensor => {
  switch (act) {
    case "gelu":
      // one fused pass forward and backward when the native kernels are registered
      return fusedGelu(x) ?? tf.mul(tf.mul(x, tf.add(tf.erf(tf.mul(x, SQRT_HALF)), 1)), 0.5)
    case "gelu_new": {
      // HF: 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))
      const cube = tf.mul(tf.mul(x, x), x)
      const inner = tf.mul(tf.add(x, tf.mul(cube, 0.044715)), SQRT_2_OVER_PI)
      return tf.mul(tf.mul(x, tf.add(tf.tanh(inner), 1)), 0.5)
    }
    case "relu":
      return tf.relu(x)
  }
}

/**
 * `nn.Dropout(rate)` at call site `site`: identity in eval mode, inverted dropout when training,
 * with the counter-based mask of `${seed}/${site}` (runtime/dropoutMask.ts) — made natively when
 * the kernels are registered, else in JS: the same mask either way.
 */
export const dropout = (x: Tensor, rate: number, mode: ForwardMode, site: string): Tensor => {
  if (!(mode.training && rate > 0)) return x
  const seed = `${mode.seed}/${site}`
  return (
    fusedDropout(x, rate, seed) ??
    tf.tidy(() => tf.mul(x, tf.tensor(dropoutMaskValues(x.size, 1 - rate, seed), x.shape, "float32")))
  )
}
