/**
 * `concner runs DIR`: every run under DIR (a folder with a `spec.json`), finished or not, with its
 * key fields — name and tags, cell, seed, state, test F1, when it started and finished — as W&B's
 * run table lists runs; `--where field=value` keeps the runs whose field has that value (a key
 * field, `tag`, or any spec field by its dotted path, `protocol.maxSteps=8`).
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Data, Effect, Option, Schema } from "effect"
import { RunResult } from "../experiment/result.js"
import { RunRecord } from "../records/runRecord.js"
import { RESULT_FILE } from "./summary.js"
import { markdownTable } from "./textTable.js"
import { flattenSpec } from "./variants.js"

export interface RunListing {
  /** The run folder, relative to the listed folder. */
  readonly dir: string
  readonly name: string | undefined
  readonly tags: ReadonlyArray<string>
  readonly state: "finished" | "unfinished"
  /** Test F1 (%): the student's for KD methods; undefined while unfinished. */
  readonly f1: number | undefined
  readonly startedAt: string | undefined
  readonly finishedAt: string | undefined
  /** Every spec field by dotted path (`method.name`, `protocol.maxSteps`), values as JSON text. */
  readonly spec: Readonly<Record<string, string>>
}

/** A `--where` that is not `field=value`. */
export class RunFilterInvalid extends Data.TaggedError("RunFilterInvalid")<{ readonly filter: string }> {
  override get message() {
    return `--where ${this.filter}: expected field=value (e.g. method.name=concner, tag=baseline, protocol.maxSteps=8)`
  }
}

const SpecFile = Schema.Struct({ spec: Schema.Unknown })

/** Every run folder under `dir`, in path order; files concner cannot read are left out of the fields they feed. */
export const listRuns = Effect.fn("Report.listRuns")(function* (dir: string) {
  const fs = yield* FileSystem.FileSystem
  const specs = (yield* fs.readDirectory(dir, { recursive: true }))
    .filter((f) => path.basename(f) === "spec.json")
    .sort()
  const read = <A, I>(file: string, schema: Schema.Schema<A, I>) =>
    fs
      .readFileString(file)
      .pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.parseJson(schema))),
        Effect.option,
        Effect.map(Option.getOrUndefined)
      )
  return yield* Effect.forEach(
    specs,
    (specFile) =>
      Effect.gen(function* () {
        const runDir = path.join(dir, path.dirname(specFile))
        const spec = yield* read(path.join(dir, specFile), SpecFile)
        const record = yield* read(path.join(runDir, "run.json"), RunRecord)
        const result = yield* read(path.join(runDir, RESULT_FILE), RunResult)
        return {
          dir: path.dirname(specFile),
          name: record?.name,
          tags: record?.tags ?? [],
          state: result === undefined ? "unfinished" : "finished",
          f1: result === undefined ? undefined : (result.student ?? result).test.f1,
          startedAt: record?.startedAt ?? record?.createdAt,
          finishedAt: record?.finishedAt,
          spec: Object.fromEntries(flattenSpec(spec?.spec))
        } satisfies RunListing
      }),
    { concurrency: 16 }
  )
})

/** A run's value of a `--where` field (`tag` matches any of its tags). */
const valuesOf = (run: RunListing, field: string): Array<string> => {
  const key: Record<string, Array<string | undefined>> = {
    dir: [run.dir],
    name: [run.name],
    tag: [...run.tags],
    state: [run.state],
    method: [run.spec["method.name"]],
    protocol: [run.spec["protocol.name"]],
    size: [run.spec.sourceSize]
  }
  const values = key[field] ?? [run.spec[field]]
  return values
    .filter((v): v is string => v !== undefined)
    .map((v) => (v.startsWith('"') ? (JSON.parse(v) as string) : v))
}

/** The runs each `field=value` filter keeps (all of them). */
export const whereRuns = (
  runs: ReadonlyArray<RunListing>,
  filters: ReadonlyArray<string>
): Effect.Effect<Array<RunListing>, RunFilterInvalid> =>
  Effect.gen(function* () {
    const parsed: Array<readonly [string, string]> = []
    for (const filter of filters) {
      const at = filter.indexOf("=")
      if (at <= 0) return yield* new RunFilterInvalid({ filter })
      parsed.push([filter.slice(0, at), filter.slice(at + 1)])
    }
    return runs.filter((run) => parsed.every(([field, value]) => valuesOf(run, field).includes(value)))
  })

const shown = (json: string | undefined) =>
  json === undefined ? "" : json.startsWith('"') ? (JSON.parse(json) as string) : json

/** The runs as an aligned Markdown table of their key fields. */
export const formatRuns = (runs: ReadonlyArray<RunListing>): string =>
  runs.length === 0
    ? "No run (no spec.json) found."
    : markdownTable({
        head: ["run", "name", "tags", "method", "lang", "size", "seed", "state", "test F1", "finished"],
        align: ["left", "left", "left", "left", "left", "right", "right", "left", "right", "left"],
        rows: runs.map((r) => [
          r.dir,
          r.name ?? "",
          r.tags.join(", "),
          shown(r.spec["method.name"]),
          shown(r.spec.lang),
          shown(r.spec.sourceSize),
          shown(r.spec.seed),
          r.state,
          r.f1 === undefined ? "" : r.f1.toFixed(2),
          r.finishedAt?.slice(0, 16).replace("T", " ") ?? ""
        ])
      })
