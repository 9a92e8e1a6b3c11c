/**
 * `concner report DIR [--json] [--html FILE [--figure FILE]… [--all]] [--csv DIR] [--latex FILE]`:
 * every result.json under DIR as mean ± std of test F1 per cell (corpus, language, size, method,
 * protocol, encoder, and the spec fields that tell variants apart), next to the paper's numbers,
 * printed as aligned Markdown tables (or JSON); `--html` also writes one self-contained page with
 * the tables, charts, learning curves and each run's provenance, `--csv` two CSV files, `--latex`
 * booktabs tables.
 */
import * as path from "node:path"
import { Args, Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Effect, Option } from "effect"
import {
  collectResults,
  formatReportLatex,
  formatReportMarkdown,
  reportJson,
  summarizeResults,
  writeCsvReport
} from "../report/index.js"
import { describe } from "./commands.js"
import { htmlFileOption, jsonOption, writeOutputFile } from "./common.js"

const dir = Args.directory({ name: "DIR", exists: "yes" }).pipe(
  Args.withDescription("a folder of runs (searched recursively for result.json), e.g. a grid's OUT")
)
const json = jsonOption.pipe(Options.withDescription("print the rows as JSON instead of Markdown"))
const html = htmlFileOption.pipe(
  Options.optional,
  Options.withDescription(
    "also write FILE: one self-contained HTML page (tables, charts, learning curves, provenance)"
  )
)
const figure = Options.file("figure", { exists: "yes" }).pipe(
  Options.repeated,
  Options.withDescription(
    "with --html: embed this figure too (.svg, or the .html of `concner visualize`); .svg files under DIR are embedded anyway"
  )
)
const all = Options.boolean("all").pipe(
  Options.withDescription("with --html: show the paper's rows and languages that have no runs too")
)
const csv = Options.directory("csv").pipe(
  Options.optional,
  Options.withDescription(
    "also write summary.csv (one line per row) and seeds.csv (one per run) into this folder"
  )
)
const latex = Options.file("latex").pipe(
  Options.optional,
  Options.withDescription("also write FILE: LaTeX tables (booktabs; mean ± std, best in bold)")
)

export const reportCommand = Command.make("report", { dir, json, html, figure, all, csv, latex }, (flags) =>
  Effect.gen(function* () {
    const found = yield* collectResults(flags.dir)
    const rows = yield* summarizeResults(found)
    yield* Console.log(flags.json ? JSON.stringify(reportJson(rows), null, 2) : formatReportMarkdown(rows))
    if (Option.isSome(flags.csv))
      for (const file of yield* writeCsvReport(flags.csv.value, rows)) yield* Console.error(`wrote ${file}`)
    if (Option.isSome(flags.latex)) yield* writeOutputFile(flags.latex.value, formatReportLatex(rows))
    if (Option.isNone(flags.html)) return
    const out = flags.html.value
    // vega and vega-lite take ~0.7 s to load: only --html pays for them
    const { writeHtmlReport } = yield* Effect.promise(() => import("../report/index.js"))
    const fs = yield* FileSystem.FileSystem
    yield* fs.makeDirectory(path.dirname(path.resolve(out)), { recursive: true })
    yield* writeHtmlReport({ dir: flags.dir, found, figureFiles: flags.figure, out, all: flags.all })
    yield* Console.error(`wrote ${out}`)
  })
).pipe(Command.withDescription(describe("report")))
