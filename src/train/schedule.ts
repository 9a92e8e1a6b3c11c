/**
 * Learning-rate schedules: pure functions of the optimizer step (nanoGPT's `get_lr(it)`).
 * `step` is the number of optimizer updates already applied (0 for the first update), which is
 * how HF's `LambdaLR` indexes them: with warmup, the first update uses learning rate 0.
 */

export type Schedule = (step: number) => number

/** The same learning rate at every step. */
export const constantSchedule =
  (lr: number): Schedule =>
  () =>
    lr

/**
 * HF `get_linear_schedule_with_warmup`: `lr·step/warmupSteps` during warmup, then a linear decay
 * reaching 0 at `totalSteps` (and staying 0 after it).
 */
export const linearWarmupDecay =
  (options: { readonly lr: number; readonly warmupSteps: number; readonly totalSteps: number }): Schedule =>
  (step) => {
    const { lr, warmupSteps, totalSteps } = options
    // same operation order as HF's lr_lambda, so the values agree to the last bit
    if (step < warmupSteps) return lr * (step / Math.max(1, warmupSteps))
    return lr * Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps))
  }

/**
 * HF `get_inverse_sqrt_schedule` (timescale = warmup): linear warmup, then `lr·√(warmup/step)`.
 * It does not depend on a total, so a run can be continued past the step count it started with.
 */
export const inverseSqrtWarmup =
  (options: { readonly lr: number; readonly warmupSteps: number }): Schedule =>
  (step) => {
    const warmup = Math.max(1, options.warmupSteps)
    if (step < options.warmupSteps) return options.lr * (step / warmup)
    return options.lr / Math.sqrt(Math.max(step, 1) / warmup)
  }
