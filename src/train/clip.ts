/**
 * Gradient checks on raw buffers: finiteness and global-norm clipping with torch's
 * `clip_grad_norm_` semantics. Gradients are read once per step into `GradBuffers` (see
 * `gradBuffers`) and shared by these checks and the fused AdamW update, so no tensor op runs here.
 */
import type { tf } from "../runtime/tf.js"

/** Gradient values by checkpoint name. */
export type GradBuffers = Readonly<Record<string, Float32Array>>

/**
 * Reads each gradient once. `grads` is keyed by checkpoint name (`tf.variableGrads` keys by tfjs
 * variable name: map those first). On the cpu backend `dataSync` returns the tensor's own storage:
 * use the buffers before disposing the gradients, and never write into them.
 */
export const gradBuffers = (grads: Readonly<Record<string, tf.Tensor>>): GradBuffers =>
  Object.fromEntries(
    Object.entries(grads).map(([name, g]) => {
      if (g.dtype !== "float32") throw new Error(`gradient of ${name} has dtype ${g.dtype}, expected float32`)
      return [name, g.dataSync() as Float32Array]
    })
  )

/** Names of the gradients holding a NaN or ±Infinity, in the record's order (empty when all are finite). */
export const nonFiniteGradients = (grads: GradBuffers): ReadonlyArray<string> =>
  Object.entries(grads)
    .filter(([, g]) => !allFinite(g))
    .map(([name]) => name)

const allFinite = (g: Float32Array): boolean => {
  // x - x is 0 for finite x and NaN for NaN/±Infinity; summing keeps the loop branch-free
  let acc = 0
  for (let i = 0; i < g.length; i++) acc += g[i]! - g[i]!
  return acc === 0
}

/** The L2 norm of all gradients taken together (accumulated in float64). */
export const globalGradNorm = (grads: GradBuffers): number => {
  let sumSq = 0
  for (const g of Object.values(grads)) for (let i = 0; i < g.length; i++) sumSq += g[i]! * g[i]!
  return Math.sqrt(sumSq)
}

/**
 * torch `clip_grad_norm_(params, maxNorm)`: the factor `min(1, maxNorm / (totalNorm + 1e-6))` that
 * the gradients are multiplied by. Returned, not applied: AdamW takes it as `gradScale` and folds it
 * into its fused update. (As in torch, a norm just below `maxNorm` still scales by slightly less than 1.)
 */
export const clipGradNorm = (
  grads: GradBuffers,
  maxNorm: number
): { readonly totalNorm: number; readonly scale: number } => {
  const totalNorm = globalGradNorm(grads)
  return { totalNorm, scale: Math.min(1, maxNorm / (totalNorm + 1e-6)) }
}
