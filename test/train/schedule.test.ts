import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { constantSchedule, inverseSqrtWarmup, linearWarmupDecay } from "../../src/train/schedule.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)

describe("learning-rate schedules", () => {
  it("constant", () => {
    expect([0, 1, 1000].map(constantSchedule(5e-5))).toStrictEqual([5e-5, 5e-5, 5e-5])
  })

  it("linear warmup then decay, as HF get_linear_schedule_with_warmup", () => {
    // warmup 2, total 10: factors 0, 1/2, then (10 − s)/8 down to 0, and 0 past the end
    const lr = linearWarmupDecay({ lr: 8, warmupSteps: 2, totalSteps: 10 })
    expect(Array.from({ length: 12 }, (_, s) => lr(s))).toStrictEqual([0, 4, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0])
  })

  it("inverse square root after warmup, as HF get_inverse_sqrt_schedule", () => {
    // warmup 4: 0, 1/4, 2/4, 3/4 of the peak, then √(4/s): 1, √0.8, √(4/6), …, 1/2 at step 16
    const lr = inverseSqrtWarmup({ lr: 8, warmupSteps: 4 })
    expect([0, 1, 2, 3, 4, 16, 64].map(lr)).toStrictEqual([0, 2, 4, 6, 8, 4, 2])
    expect(lr(5)).toBeCloseTo(8 * Math.sqrt(4 / 5), 12)
    expect(inverseSqrtWarmup({ lr: 1, warmupSteps: 0 })(0)).toBe(1)
  })

  it("no warmup starts at the peak", () => {
    const lr = linearWarmupDecay({ lr: 1, warmupSteps: 0, totalSteps: 4 })
    expect([0, 1, 2, 3, 4].map(lr)).toStrictEqual([1, 0.75, 0.5, 0.25, 0])
  })

  it.prop(
    "rises to the peak, then never increases and stays within [0, lr]",
    [
      fc.integer({ min: 0, max: 50 }),
      fc.integer({ min: 1, max: 200 }),
      fc.double({ min: 1e-6, max: 1, noNaN: true })
    ],
    ([warmupSteps, extra, peak]) => {
      const totalSteps = warmupSteps + extra
      const lr = linearWarmupDecay({ lr: peak, warmupSteps, totalSteps })
      const values = Array.from({ length: totalSteps + 3 }, (_, s) => lr(s))
      expect(values.every((v) => v >= 0 && v <= peak)).toBe(true)
      expect(lr(warmupSteps)).toBe(peak)
      const rising = values.slice(0, warmupSteps + 1)
      const falling = values.slice(warmupSteps)
      expect(rising.every((v, i) => i === 0 || v > rising[i - 1]!)).toBe(true)
      expect(falling.every((v, i) => i === 0 || v <= falling[i - 1]!)).toBe(true)
    },
    { fastCheck: { numRuns, seed: 21 } }
  )
})
