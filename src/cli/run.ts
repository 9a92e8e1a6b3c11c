/**
 * `concner run experiments/NAME.ts [--protocol cpu|paper] [--out DIR] [--model DIR] [--seeds N]
 * [--concurrency N]`: loads the file's default-exported grid (TypeScript works: bin/concner.js
 * registers tsx), brings every cell to completion — skipping completed ones, resuming interrupted ones — and prints each
 * cell's outcome and the report of the grid (mean ± std over seeds, next to the paper).
 */
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import {
  type Grid,
  GridInvalid,
  decodeGrid,
  expandGrid,
  formatOutcomes,
  runGrid
} from "../experiment/grid.js"
import { progressHooks } from "../experiment/progress.js"
import { ensureRandomEncoder } from "../experiment/quickstart.js"
import { formatReportMarkdown, summarizeResults } from "../experiment/report.js"
import { protocols } from "../experiment/spec.js"
import { backendOption, dataAndRuntime } from "./common.js"

const file = Args.file({ name: "FILE", exists: "yes" }).pipe(
  Args.withDescription("an experiment file (experiments/*.ts)")
)
const protocol = Options.choice("protocol", ["cpu", "paper"]).pipe(
  Options.optional,
  Options.withDescription("training protocol (default: the grid's own, else cpu)")
)
const out = Options.directory("out").pipe(
  Options.optional,
  Options.withDescription("output folder (default runs/<grid name>)")
)
const model = Options.directory("model", { exists: "yes" }).pipe(
  Options.optional,
  Options.withDescription(
    "encoder folder (default: the grid's; for a one-language CoNLL grid, a random-initialised tiny encoder built once into OUT/encoder)"
  )
)
const seeds = Options.integer("seeds").pipe(
  Options.optional,
  Options.withDescription("run only the grid's first N seeds")
)
const concurrency = Options.integer("concurrency").pipe(
  Options.withDefault(1),
  Options.withDescription(
    "cells at once: 1 runs them in this process; more runs each in a child process (`concner resume`)"
  )
)
const data = Options.directory("data").pipe(
  Options.optional,
  Options.withDescription("data root (default CONCNER_DATA or ../shared/data)")
)
const backend = backendOption

/** The grid default-exported by `file`. */
export const loadGrid = (file: string) =>
  Effect.tryPromise({
    try: () => import(pathToFileURL(path.resolve(file)).href) as Promise<{ default?: unknown }>,
    catch: (e) =>
      new GridInvalid({ file, reason: `cannot be loaded: ${e instanceof Error ? e.message : String(e)}` })
  }).pipe(Effect.flatMap((module) => decodeGrid(module.default, file)))

/** The encoder when neither the flags nor the grid name one: the quickstart's, for a one-language CoNLL grid. */
const defaultModel = (grid: Grid, outDir: string) => {
  const langs = [...new Set(grid.targets.map((t) => t.lang))]
  return grid.model === undefined && langs.length === 1 && grid.targets.every((t) => t.corpus === "conll")
    ? Effect.map(ensureRandomEncoder(path.join(outDir, "encoder"), langs[0]!, 1), Option.some)
    : Effect.succeed(Option.none<string>())
}

export const runCommand = Command.make(
  "run",
  { file, protocol, out, model, seeds, concurrency, data, backend },
  (flags) =>
    Effect.gen(function* () {
      const loaded = yield* loadGrid(flags.file)
      const grid = Option.match(flags.seeds, {
        onNone: () => loaded,
        onSome: (n) => ({ ...loaded, seeds: loaded.seeds.slice(0, n) })
      })
      const outDir = path.resolve(Option.getOrElse(flags.out, () => path.join("runs", grid.name)))
      const encoder = Option.isSome(flags.model) ? flags.model : yield* defaultModel(grid, outDir)
      const cells = yield* expandGrid(grid, {
        out: outDir,
        protocol: Option.match(flags.protocol, {
          onNone: () => grid.protocol ?? protocols.cpu,
          onSome: (name) => protocols[name]
        }),
        ...(Option.isSome(encoder) ? { model: encoder.value } : {})
      })
      const outcomes = yield* runGrid(cells, {
        hooksFor: (runDir) => progressHooks(runDir),
        concurrency: flags.concurrency,
        onCell: (cell, index, total) =>
          Console.error(
            `[${index + 1}/${total}] ${cell.corpus} ${cell.method} ${cell.lang} ${cell.sourceSize} seed ${cell.seed}${cell._tag === "Runnable" ? ` → ${cell.runDir}` : ": unavailable"}`
          )
      })
      const rows = yield* summarizeResults(
        outcomes.flatMap((o) =>
          o.status === "unavailable"
            ? []
            : [{ file: path.join(o.cell.runDir, "result.json"), result: o.result }]
        )
      )
      yield* Console.log(`${formatOutcomes(outcomes)}\n\n${formatReportMarkdown(rows)}`)
    }).pipe(Effect.provide(dataAndRuntime(flags)))
).pipe(
  Command.withDescription(
    "run an experiment grid (completed cells skipped, interrupted ones resumed) and report it"
  )
)
