/**
 * What a run shows while it trains (`progressHooks`): each step a tick with its loss and terms, each
 * evaluation a line that stays — and the status line drawn again below it already carries the new
 * best dev F1 (it showed the previous one), without counting the step's tokens twice.
 */
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { progressHooks } from "../../src/experiment/progress.js"
import type { ProgressService, ProgressTick } from "../../src/runtime/Progress.js"
import type { TrainEvent } from "../../src/train/loop.js"

const step = (n: number): TrainEvent => ({
  _tag: "Step",
  result: {
    step: n,
    epoch: 0,
    batch: n,
    loss: 0.5,
    terms: { ceSource: 0.5 },
    gradNorm: 1,
    lr: 1e-4,
    tokens: 100
  }
})

const evaluation = (n: number, f1: number): TrainEvent => ({
  _tag: "Eval",
  step: n,
  f1,
  improved: true,
  best: { step: n, f1 },
  next: { step: n, epoch: 0, batch: n },
  last: false
})

describe("progressHooks", () => {
  it.scoped("the status line after an evaluation shows its best dev F1, its tokens counted once", () =>
    Effect.gen(function* () {
      const seen: Array<{ tick: ProgressTick } | { log: string }> = []
      const recording: ProgressService = {
        plan: () => Effect.void,
        tick: (tick) => Effect.sync(() => void seen.push({ tick })),
        log: (line) => Effect.sync(() => void seen.push({ log: line }))
      }
      const dir = yield* (yield* FileSystem.FileSystem).makeTempDirectoryScoped()
      const hooks = yield* progressHooks(dir, recording)
      yield* hooks.onEvent("teacher", step(0), 4)
      yield* hooks.onEvent("teacher", evaluation(1, 37.25), 4)
      yield* hooks.onEvent("teacher", step(1), 4)
      expect(seen).toEqual([
        { tick: expect.objectContaining({ step: 1, tokens: 100, detail: "ceSource 0.500" }) },
        { tick: expect.objectContaining({ step: 1, tokens: 0, detail: "ceSource 0.500 best dev F1 37.25" }) },
        { log: "teacher step 1/4: dev F1 37.25 (best), best 37.25 at step 1" },
        {
          tick: expect.objectContaining({ step: 2, tokens: 100, detail: "ceSource 0.500 best dev F1 37.25" })
        }
      ])
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
