/**
 * Gradient checks on raw buffers: finiteness and global-norm clipping with torch's
 * `clip_grad_norm_` semantics. Gradients are read once per step into `GradBuffers` (see
 * `gradBuffers`) and shared by these checks and the fused AdamW update, so no tensor op runs here.
 */
import { loadNative } from "../runtime/native.js"
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

/**
 * `acc + Σ g_i²` in float64, in index order: through the native addon when it is loaded (the same
 * operations in C, ~10× faster over millions of parameters), else in JS; the same value either way.
 */
export const sumSquares = (g: Float32Array, acc = 0): number => {
  const native = loadNative()
  if (native.loaded) return native.addon.sumSquares(g, acc)
  let sumSq = acc
  for (let i = 0; i < g.length; i++) sumSq += g[i]! * g[i]!
  return sumSq
}

/** Names of the gradients holding a NaN or ±Infinity, in the record's order (empty when all are finite). */
export const nonFiniteGradients = (grads: GradBuffers): ReadonlyArray<string> =>
  Object.entries(grads)
    // a float64 sum of float32 squares cannot overflow: it is non-finite iff an entry is
    .filter(([, g]) => !Number.isFinite(sumSquares(g)))
    .map(([name]) => name)

/** The L2 norm of all gradients taken together (accumulated in float64). */
export const globalGradNorm = (grads: GradBuffers): number => {
  let sumSq = 0
  for (const g of Object.values(grads)) sumSq = sumSquares(g, sumSq)
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
): { readonly totalNorm: number; readonly scale: number } => clipScale(globalGradNorm(grads), maxNorm)

/** `clipGradNorm` for a norm already taken (`globalGradNorm`). */
export const clipScale = (
  totalNorm: number,
  maxNorm: number
): { readonly totalNorm: number; readonly scale: number } => ({
  totalNorm,
  scale: Math.min(1, maxNorm / (totalNorm + 1e-6))
})
