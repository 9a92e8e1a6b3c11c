/**
 * `metrics.jsonl`: one JSON object per line, appended as the run goes (one per step or evaluation).
 * Each entry is one `write` to a file opened for appending, so it reaches the OS before `append`
 * returns and survives a killed process; `durable: true` also fsyncs each line (power loss).
 * Non-finite numbers, which JSON cannot hold, are written as the strings "NaN", "Infinity",
 * "-Infinity" rather than silently as null.
 *
 * Every line ends with when it was written, as W&B's `_timestamp` and `_runtime` do: `time` (ISO
 * 8601, UTC) and `elapsed` (seconds the run has spent: a log reopened by a later sitting continues
 * from its last line's `elapsed`, so the time between sittings is not counted). They are the only
 * fields two runs of the same spec do not share: compare logs with `withoutTimes`.
 */
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Clock, Effect } from "effect"

/** The metrics log's name in a run folder (fine-tuning and pretraining alike). */
export const METRICS_FILE = "metrics.jsonl"

/** The fields `append` adds to every entry. */
export const METRICS_TIME_FIELDS = ["time", "elapsed"] as const

export interface MetricsLog {
  readonly append: (entry: Readonly<Record<string, unknown>>) => Effect.Effect<void, PlatformError>
}

const nonFiniteAsString = (_key: string, v: unknown) =>
  typeof v === "number" && !Number.isFinite(v) ? String(v) : v

/** The `elapsed` of a log's last complete line (0 for none, or a line from before concner wrote it). */
const lastElapsed = (text: string): number => {
  const lines = text.split("\n")
  lines.pop() // the part after the last newline: empty, or a line a kill cut short
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const elapsed = (JSON.parse(lines[i]!) as { elapsed?: unknown }).elapsed
      return typeof elapsed === "number" ? elapsed : 0
    } catch {}
  }
  return 0
}

/** Opens (creating if needed) `path` for appending; the file closes with the scope. */
export const openMetricsLog = Effect.fn("MetricsLog.open")(function* (
  path: string,
  options: { readonly durable?: boolean } = {}
) {
  const fs = yield* FileSystem.FileSystem
  const before = (yield* fs.exists(path)) ? lastElapsed(yield* fs.readFileString(path)) : 0
  const opened = yield* Clock.currentTimeMillis
  const file = yield* fs.open(path, { flag: "a" })
  const encoder = new TextEncoder()
  // one append at a time, so concurrent callers never interleave partial lines
  const lock = yield* Effect.makeSemaphore(1)
  const append = (entry: Readonly<Record<string, unknown>>) =>
    lock.withPermits(1)(
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const stamped = {
          ...entry,
          time: new Date(now).toISOString(),
          elapsed: Math.round((before + (now - opened) / 1000) * 1000) / 1000
        }
        return file
          .writeAll(encoder.encode(`${JSON.stringify(stamped, nonFiniteAsString)}\n`))
          .pipe(Effect.zipRight(options.durable ? file.sync : Effect.void))
      })
    )
  return { append } satisfies MetricsLog
})

/**
 * A metrics log's text without `time` and `elapsed` (lines that are not JSON kept as they are): what
 * is equal between two runs of one spec, and between a run and its resumed copy.
 */
export const withoutTimes = (text: string): string =>
  text
    .split("\n")
    .map((line) => {
      try {
        const entry = JSON.parse(line) as Record<string, unknown>
        for (const field of METRICS_TIME_FIELDS) delete entry[field]
        return JSON.stringify(entry)
      } catch {
        return line
      }
    })
    .join("\n")
