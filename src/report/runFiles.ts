/**
 * What the HTML report reads beside each `result.json`: the recorded spec (`spec.json`), the run
 * record (`run.json`) and the evaluations of `metrics.jsonl`. A run folder may lack any of them
 * (results copied without their folder); files that exist but cannot be read fail with their path
 * (and line, for metrics), since concner wrote them and a bad one means damage worth seeing.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Data, Effect, Schema } from "effect"
import type { RunResult } from "../experiment/result.js"
import { METRICS_FILE } from "../records/metricsLog.js"
import { RunRecord } from "../records/runRecord.js"
import type { FoundResult } from "./summary.js"

export class RunFileInvalid extends Data.TaggedError("RunFileInvalid")<{
  readonly file: string
  /** 1-based, for a line of metrics.jsonl. */
  readonly line?: number
  readonly reason: string
}> {
  override get message() {
    return `${this.file}${this.line === undefined ? "" : `:${this.line}`}: ${this.reason}`
  }
}

/** `spec.json` as `writeRunRecord` writes it; the spec itself is read by `specDeviations`. */
const SpecFile = Schema.parseJson(Schema.Struct({ sha256: Schema.String, spec: Schema.Unknown }))

/** metrics.jsonl writes non-finite numbers as "NaN", "Infinity", "-Infinity". */
const MetricNumber = Schema.Union(Schema.Number, Schema.NumberFromString)
const Stage = Schema.Literal("teacher", "student")
const EvalEntry = Schema.Struct({
  stage: Stage,
  kind: Schema.Literal("eval"),
  step: Schema.Int,
  devF1: MetricNumber
})

/** One evaluation on the selection (English dev) set. */
export interface EvalPoint {
  readonly stage: typeof Stage.Type
  readonly step: number
  /** Percent, as result.json; may be NaN. */
  readonly devF1: number
}

export interface RunFiles {
  /** The run folder (where result.json is). */
  readonly dir: string
  readonly result: RunResult
  readonly spec: { readonly sha256: string; readonly content: unknown } | undefined
  readonly record: RunRecord | undefined
  readonly curve: ReadonlyArray<EvalPoint>
  /** Files this run lacks or left incomplete, said in the report rather than skipped in silence. */
  readonly notes: ReadonlyArray<string>
}

/**
 * The evaluations in a metrics.jsonl text (step lines skipped). A last line without its newline
 * is one a killed process cut short: it is left out and `cut` says so; any other bad line fails.
 */
export const parseEvalPoints = (
  text: string,
  file: string
): Effect.Effect<{ readonly points: Array<EvalPoint>; readonly cut: boolean }, RunFileInvalid> =>
  Effect.gen(function* () {
    const lines = text.split("\n")
    const last = lines.pop()!
    const unterminated = last !== ""
    if (unterminated) lines.push(last)
    const points: Array<EvalPoint> = []
    for (const [i, line] of lines.entries()) {
      if (line === "") continue
      const isCut = unterminated && i === lines.length - 1
      let entry: unknown
      try {
        entry = JSON.parse(line)
      } catch {
        if (isCut) return { points, cut: true }
        return yield* new RunFileInvalid({ file, line: i + 1, reason: `not JSON: ${line.slice(0, 80)}` })
      }
      if (typeof entry !== "object" || entry === null || (entry as { kind?: unknown }).kind !== "eval")
        continue
      const decoded = Schema.decodeUnknownEither(EvalEntry)(entry)
      if (decoded._tag === "Left")
        return yield* new RunFileInvalid({ file, line: i + 1, reason: decoded.left.message })
      const { stage, step, devF1 } = decoded.right
      points.push({ stage, step, devF1 })
    }
    return { points, cut: false }
  })

/** The files beside one result.json. */
export const readRunFiles = Effect.fn("Report.readRunFiles")(function* (found: FoundResult) {
  const fs = yield* FileSystem.FileSystem
  const dir = path.dirname(found.file)
  const notes: Array<string> = []
  const optional = <A>(name: string, read: (file: string) => Effect.Effect<A, RunFileInvalid>) =>
    Effect.gen(function* () {
      const file = path.join(dir, name)
      if (yield* fs.exists(file)) return yield* read(file)
      notes.push(`no ${name}`)
      return undefined
    })
  const decodeFile =
    <A, I>(schema: Schema.Schema<A, I>) =>
    (file: string) =>
      fs.readFileString(file).pipe(
        Effect.flatMap(Schema.decodeUnknown(schema)),
        Effect.mapError((e) => new RunFileInvalid({ file, reason: e.message }))
      )
  const specFile = yield* optional("spec.json", decodeFile(SpecFile))
  const record = yield* optional("run.json", decodeFile(Schema.parseJson(RunRecord)))
  const metrics = yield* optional(METRICS_FILE, (file) =>
    fs.readFileString(file).pipe(
      Effect.mapError((e) => new RunFileInvalid({ file, reason: e.message })),
      Effect.flatMap((text) => parseEvalPoints(text, file))
    )
  )
  if (metrics?.cut) notes.push(`${METRICS_FILE}: last line cut short (killed run), left out`)
  return {
    dir,
    result: found.result,
    spec: specFile && { sha256: specFile.sha256, content: specFile.spec },
    record,
    curve: metrics?.points ?? [],
    notes
  } satisfies RunFiles
})
