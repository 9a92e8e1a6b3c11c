/**
 * `metrics.jsonl`: one JSON object per line, appended as the run goes (one per step or evaluation).
 * Each entry is one `write` to a file opened for appending, so it reaches the OS before `append`
 * returns and survives a killed process; `durable: true` also fsyncs each line (power loss).
 * Non-finite numbers, which JSON cannot hold, are written as the strings "NaN", "Infinity",
 * "-Infinity" rather than silently as null.
 */
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect } from "effect"

/** The metrics log's name in a run folder (fine-tuning and pretraining alike). */
export const METRICS_FILE = "metrics.jsonl"

export interface MetricsLog {
  readonly append: (entry: Readonly<Record<string, unknown>>) => Effect.Effect<void, PlatformError>
}

const nonFiniteAsString = (_key: string, v: unknown) =>
  typeof v === "number" && !Number.isFinite(v) ? String(v) : v

/** Opens (creating if needed) `path` for appending; the file closes with the scope. */
export const openMetricsLog = Effect.fn("MetricsLog.open")(function* (
  path: string,
  options: { readonly durable?: boolean } = {}
) {
  const fs = yield* FileSystem.FileSystem
  const file = yield* fs.open(path, { flag: "a" })
  const encoder = new TextEncoder()
  // one append at a time, so concurrent callers never interleave partial lines
  const lock = yield* Effect.makeSemaphore(1)
  const append = (entry: Readonly<Record<string, unknown>>) =>
    lock.withPermits(1)(
      file
        .writeAll(encoder.encode(`${JSON.stringify(entry, nonFiniteAsString)}\n`))
        .pipe(Effect.zipRight(options.durable ? file.sync : Effect.void))
    )
  return { append } satisfies MetricsLog
})
