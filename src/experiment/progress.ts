/**
 * What a run shows and records as it goes: every event appended to `metrics.jsonl` (one JSON
 * object per line), and progress on stderr — one redrawn line on a TTY (step, loss terms,
 * tokens/s, ETA, best dev F1), plain lines at each evaluation otherwise (CI logs, files).
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import type { ObjectiveStage as Stage } from "../losses/objective.js"
import { writeFileStringAtomic } from "../records/atomic.js"
import { METRICS_FILE, openMetricsLog } from "../records/metricsLog.js"
import type { Position } from "../train/Batcher.js"
import type { TrainEvent } from "../train/loop.js"

export interface RunHooks {
  /** Every training event of either stage, with the stage's total steps (progress, metrics.jsonl). */
  readonly onEvent: (stage: Stage, event: TrainEvent, total: number) => Effect.Effect<void>
}

const fmt = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : String(x))

const duration = (seconds: number) => {
  const s = Math.max(0, Math.round(seconds))
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0")
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${mm}m`
    : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
}

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

/** Hooks writing `runDir/metrics.jsonl` (appending) and progress to `stream`; the file closes with the scope. */
export const progressHooks = Effect.fn("Progress.hooks")(function* (
  runDir: string,
  stream: NodeJS.WriteStream = process.stderr
) {
  const fs = yield* FileSystem.FileSystem
  yield* fs.makeDirectory(runDir, { recursive: true })
  const metrics = yield* openMetricsLog(path.join(runDir, METRICS_FILE))
  const tty = stream.isTTY === true
  let started = Date.now()
  let current: Stage | undefined
  let tokens = 0
  let bestF1 = Number.NaN
  const show = (stage: Stage, event: TrainEvent, total: number) => {
    if (stage !== current) {
      current = stage
      started = Date.now()
      tokens = 0
      bestF1 = Number.NaN
    }
    const elapsed = (Date.now() - started) / 1000
    if (event._tag === "Step") {
      const r = event.result
      tokens += r.tokens
      if (!tty) return
      const terms = Object.entries(r.terms)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(" ")
      const eta = ((total - r.step - 1) * elapsed) / (r.step + 1)
      stream.write(
        `\r\x1b[K${stage} ${r.step + 1}/${total} loss ${fmt(r.loss)} (${terms}) ${fmt(tokens / elapsed, 0)} tok/s ETA ${duration(eta)} best dev F1 ${fmt(bestF1, 2)}`
      )
      return
    }
    bestF1 = event.best.f1
    const line = `${stage} step ${event.step}/${total}: dev F1 ${fmt(event.f1, 2)}${event.improved ? " (best)" : ""}, best ${fmt(event.best.f1, 2)} at step ${event.best.step}, ${duration(elapsed)}`
    stream.write(tty ? `\r\x1b[K${line}\n` : `${line}\n`)
  }
  return {
    onEvent: (stage, event, total) =>
      metrics
        .append(metricsEntry(stage, event))
        .pipe(Effect.orDie, Effect.zipRight(Effect.sync(() => show(stage, event, total))))
  } satisfies RunHooks
})
