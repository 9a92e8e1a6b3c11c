/**
 * What a run shows and records as it goes: every event appended to `metrics.jsonl` (one JSON
 * object per line), and shown on the `Progress` service (runtime/Progress.ts: a status line on a
 * TTY, plain lines otherwise; stage k/n, loss, tokens/s, the whole run's ETA).
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import type { ObjectiveStage as Stage } from "../losses/objective.js"
import { writeFileStringAtomic } from "../records/atomic.js"
import { METRICS_FILE, openMetricsLog } from "../records/metricsLog.js"
import type { ProgressService, ProgressStage } from "../runtime/Progress.js"
import type { Position } from "../train/Batcher.js"
import { batchesPerEpoch } from "../train/batches.js"
import type { TrainEvent } from "../train/loop.js"
import type { StepResult } from "../train/step.js"
import type { ExperimentSpec } from "./spec.js"

export interface RunHooks {
  /** Every training event of either stage, with the stage's total steps (progress, metrics.jsonl). */
  readonly onEvent: (stage: Stage, event: TrainEvent, total: number) => Effect.Effect<void>
}

const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : String(x))

/** The JSON object of an event (the best weights are not written, only their step and F1). */
export const metricsEntry = (stage: Stage, event: TrainEvent): Record<string, unknown> =>
  event._tag === "Step"
    ? { stage, kind: "step", ...event.result }
    : {
        stage,
        kind: "eval",
        step: event.step,
        devF1: event.f1,
        improved: event.improved,
        bestStep: event.best.step,
        bestF1: event.best.f1
      }

const stageOrder: Record<Stage, number> = { teacher: 0, student: 1 }

/**
 * Drops the entries a resumed run will write again: those after the state it resumes from
 * (steps from `position.step` on, evaluations after it), so the file ends up as if never stopped.
 */
export const trimMetrics = Effect.fn("Metrics.trim")(function* (
  runDir: string,
  at: { readonly stage: Stage; readonly position: Position } | undefined
) {
  const fs = yield* FileSystem.FileSystem
  const file = path.join(runDir, METRICS_FILE)
  if (!(yield* fs.exists(file))) return
  type Entry = { readonly stage: Stage; readonly kind: string; readonly step: number }
  // a line cut by a kill cannot be parsed: it is after the state by construction, so it goes too
  const parse = (line: string): Entry | undefined => {
    try {
      return JSON.parse(line) as Entry
    } catch {
      return undefined
    }
  }
  const keep = (entry: Entry | undefined) => {
    if (at === undefined || entry === undefined) return false
    const order = stageOrder[entry.stage] - stageOrder[at.stage]
    if (order !== 0) return order < 0
    return entry.kind === "step" ? entry.step < at.position.step : entry.step <= at.position.step
  }
  const lines = (yield* fs.readFileString(file)).split("\n").filter((l) => l !== "")
  yield* writeFileStringAtomic(
    file,
    lines
      .filter((l) => keep(parse(l)))
      .map((l) => `${l}\n`)
      .join("")
  )
})

/**
 * The stages `spec` runs and their planned steps, named `label` + stage (`en teacher`): the
 * teacher's from the sample size, the student's from the protocol's KD sentences (the teacher's
 * when it takes them all); a stage's tick replaces its plan with its exact total.
 */
export const plannedStages = (spec: ExperimentSpec, label = ""): Array<ProgressStage> => {
  const { protocol } = spec
  const steps = (epochs: number, examples: number, maxSteps: number | undefined) =>
    Math.min(epochs * batchesPerEpoch(examples, protocol.batchSize), maxSteps ?? Number.POSITIVE_INFINITY)
  const teacher = steps(protocol.epochs, spec.sourceSize, protocol.maxSteps)
  return [
    { name: `${label}teacher`, total: teacher },
    ...(spec.method.hasKdStage
      ? [
          {
            name: `${label}student`,
            total:
              protocol.kdSentences === undefined
                ? teacher
                : steps(protocol.kdEpochs, protocol.kdSentences, protocol.kdMaxSteps)
          }
        ]
      : [])
  ]
}

/**
 * Hooks appending every event to `runDir/metrics.jsonl` and showing it on `progress`: each step as
 * a tick (loss, its terms and the best dev F1 so far as detail), each evaluation as a line that
 * stays. Stages are named `label` + stage. The file closes with the scope.
 */
export const progressHooks = Effect.fn("Progress.hooks")(function* (
  runDir: string,
  progress: ProgressService,
  label = ""
) {
  const fs = yield* FileSystem.FileSystem
  yield* fs.makeDirectory(runDir, { recursive: true })
  const metrics = yield* openMetricsLog(path.join(runDir, METRICS_FILE))
  const best = new Map<Stage, number>()
  const lastStep = new Map<Stage, { readonly result: StepResult; readonly total: number }>()
  /** `again`: the step's tick repeated with a new detail, its tokens already counted. */
  const tick = (stage: Stage, r: StepResult, total: number, again = false) => {
    const bestF1 = best.get(stage)
    return progress.tick({
      stage: `${label}${stage}`,
      step: r.step + 1,
      total,
      loss: r.loss,
      tokens: again ? 0 : r.tokens,
      detail: [
        ...Object.entries(r.terms).map(([k, v]) => `${k} ${fmt(v)}`),
        ...(bestF1 === undefined ? [] : [`best dev F1 ${fmt(bestF1, 2)}`])
      ].join(" ")
    })
  }
  const show = (stage: Stage, event: TrainEvent, total: number) => {
    if (event._tag === "Step") {
      lastStep.set(stage, { result: event.result, total })
      return tick(stage, event.result, total)
    }
    best.set(stage, event.best.f1)
    const last = lastStep.get(stage)
    // the status line drawn again below the evaluation's line shows the new best, not the one before
    return Effect.zipRight(
      last === undefined ? Effect.void : tick(stage, last.result, last.total, true),
      progress.log(
        `${label}${stage} step ${event.step}/${total}: dev F1 ${fmt(event.f1, 2)}${event.improved ? " (best)" : ""}, best ${fmt(event.best.f1, 2)} at step ${event.best.step}`
      )
    )
  }
  return {
    onEvent: (stage, event, total) =>
      metrics
        .append(metricsEntry(stage, event))
        .pipe(Effect.orDie, Effect.zipRight(show(stage, event, total)))
  } satisfies RunHooks
})
