import { type Tensor2D, tf } from "../runtime/tf.js"
import { LossInputError } from "./errors.js"

/**
 * Added to a logit to take it out of a softmax. A large finite negative rather than −∞: −∞
 * arithmetic gives `0 · −∞ = NaN` in the masked products and NaN gradients, while
 * `exp(-1e9 - max)` is exactly 0 in float32 for any temperature a user would choose.
 */
export const MASKED_LOGIT = -1e9

/** Norms below this count as zero: a zero vector normalises to zero (cosine 0 with everything). */
export const NORM_EPSILON = 1e-8

/**
 * Rows of `x` scaled to unit length, epsilon-safe in value *and* gradient: `x · rsqrt(max(‖x‖², ε²))`.
 * (`x / max(‖x‖, ε)` would differentiate `sqrt` at 0, i.e. `∞ · 0 = NaN`, for a zero row.)
 */
export const l2Normalize = (x: Tensor2D): Tensor2D =>
  tf.tidy(() => tf.mul(x, tf.rsqrt(tf.maximum(tf.sum(tf.square(x), 1, true), NORM_EPSILON * NORM_EPSILON))))

/** `[M, M]` cosine similarities of the rows of `x`. */
export const cosines = (x: Tensor2D): Tensor2D =>
  tf.tidy(() => {
    const z = l2Normalize(x)
    return tf.matMul(z, z, false, true)
  })

/** `[M, M]` cosine similarities over `temperature` (eqs. 5 and 7's `cos(·,·)/τ`). */
export const cosineLogits = (x: Tensor2D, temperature: number): Tensor2D =>
  tf.tidy(() => tf.div(cosines(x), temperature))

/** Throws `LossInputError` unless `temperature` is a positive finite number. */
export const checkTemperature = (loss: string, temperature: number): void => {
  if (!(Number.isFinite(temperature) && temperature > 0))
    throw new LossInputError({
      loss,
      reason: `temperature must be a positive finite number, got ${temperature}`
    })
}
