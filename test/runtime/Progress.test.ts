import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { Progress } from "../../src/runtime/Progress.js"
import type { ProgressSink } from "../../src/runtime/statusLine.js"
import { recordingSink } from "../support/progressSink.js"

const ESC = String.fromCharCode(27)

describe("Progress", () => {
  it.effect("without a TTY: a plain line with step/total and loss at least every 30 s of run time", () => {
    const { written, sink: out } = recordingSink(false)
    return Effect.gen(function* () {
      const progress = yield* Progress
      yield* progress.plan([
        { name: "teacher", total: 100 },
        { name: "student", total: 50 }
      ])
      // 7 s steps, then a 95 s evaluation with no step, then 7 s steps again
      const stepAt = new Set([
        ...Array.from({ length: 40 }, (_, i) => 7 * (i + 1)),
        ...Array.from({ length: 40 }, (_, i) => 375 + 7 * i)
      ])
      let step = 0
      let lastLine = 0
      let longestGap = 0
      for (let second = 1; second <= 650; second++) {
        const before = written.length
        yield* TestClock.adjust("1 second")
        if (stepAt.has(second)) {
          step++
          yield* progress.tick({ stage: "teacher", step, total: 100, loss: 1 / step, tokens: 512 })
        }
        if (written.length > before) {
          longestGap = Math.max(longestGap, second - lastLine)
          lastLine = second
        }
      }
      longestGap = Math.max(longestGap, 650 - lastLine)
      expect(longestGap).toBeLessThanOrEqual(30)
      expect(written.length).toBeGreaterThan(10)
      for (const line of written) {
        expect(line).toMatch(/^\[1\/2\] teacher \d+\/100 .*loss \d\.\d{4}.*ETA .*\n$/)
        expect(line).not.toContain(ESC)
      }
      expect(written.at(-1)).toMatch(/ETA \d+m\d\ds/)
    }).pipe(Effect.provide(Progress.layer({ sink: out })))
  })

  it.effect("on an 80-column TTY no line is wider than the terminal, and evaluations stay above it", () => {
    const { written, sink: out } = recordingSink(true, 80)
    return Effect.gen(function* () {
      const progress = yield* Progress
      for (let step = 1; step <= 30; step++) {
        yield* TestClock.adjust("3 seconds")
        yield* progress.tick({
          stage: "en-trans-lcl-tcl teacher",
          step,
          total: 12_345,
          loss: 0.123456,
          tokens: 4096,
          detail: "ce 0.412 lcl 1.234 tcl 2.345 best dev F1 35.81"
        })
        if (step % 10 === 0) yield* progress.log(`teacher step ${step}/12345: dev F1 35.81 (best)`)
      }
      const screen = written.join("").split(/\r|\n/)
      for (const line of screen) expect(line.replaceAll(`${ESC}[K`, "").length).toBeLessThanOrEqual(79)
      expect(written.join("")).toContain("teacher step 30/12345: dev F1 35.81 (best)\n")
      expect(screen.some((l) => /\[1\/1\] en-trans-lcl-tcl teacher 30\/12345 .*loss 0\.1235/.test(l))).toBe(
        true
      )
    }).pipe(Effect.provide(Progress.layer({ sink: out })))
  })

  it.effect("stage k/n and the ETA of the whole run, from this sitting's pace", () => {
    const { written, sink: out } = recordingSink(true, 200)
    return Effect.gen(function* () {
      const progress = yield* Progress
      yield* progress.plan([
        { name: "teacher", total: 10 },
        { name: "student", total: 10 }
      ])
      for (let step = 1; step <= 5; step++) {
        yield* TestClock.adjust("10 seconds")
        yield* progress.tick({ stage: "teacher", step, total: 10, loss: 0.5 })
      }
      // 5 steps in 50 s; 5 teacher and 10 student steps left
      expect(written.at(-1)).toBe(`\r${ESC}[K[1/2] teacher 5/10  50%  loss 0.5000  elapsed 0m50s  ETA 2m30s`)
      yield* TestClock.adjust("10 seconds")
      yield* progress.tick({ stage: "student", step: 1, total: 12, loss: 0.5 })
      expect(written.at(-1)).toMatch(/\[2\/2\] student 1\/12 .*ETA 1m50s$/)
    }).pipe(Effect.provide(Progress.layer({ sink: out })))
  })

  it.effect("interrupted (Ctrl-C, SIGTERM): says how to resume, with or without progress", () =>
    Effect.gen(function* () {
      for (const layer of [
        (s: ProgressSink) => Progress.layer({ sink: s, resume: "concner resume runs/x" }),
        (s: ProgressSink) => Progress.quiet("concner resume runs/x", s)
      ]) {
        const { written, sink: out } = recordingSink(false)
        const fiber = yield* Effect.fork(
          Effect.gen(function* () {
            const progress = yield* Progress
            yield* progress.tick({ stage: "teacher", step: 1, total: 10, loss: 1 })
            yield* Effect.never
          }).pipe(Effect.provide(layer(out)))
        )
        yield* TestClock.adjust("1 second")
        yield* Fiber.interrupt(fiber)
        expect(written.at(-1)).toBe(
          "interrupted: the run is resumable from its last evaluation with\n  concner resume runs/x\n"
        )
      }
    })
  )
})
