/**
 * `concner report DIR [--json] [--html FILE [--figure FILE]…]`: every result.json under DIR as
 * mean ± std of test F1 per cell (corpus, language, size, method, protocol, encoder), next to the
 * paper's numbers; `--html` also writes one self-contained page with the tables, charts, learning
 * curves and each run's provenance.
 */
import * as path from "node:path"
import { Args, Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Effect, Option } from "effect"
import { collectResults, formatReportMarkdown, reportJson, summarizeResults } from "../report/index.js"
import { describe } from "./commands.js"
import { jsonOption } from "./common.js"

const dir = Args.directory({ name: "DIR", exists: "yes" })
const json = jsonOption.pipe(Options.withDescription("print the rows as JSON instead of Markdown"))
const html = Options.file("html").pipe(
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

export const reportCommand = Command.make("report", { dir, json, html, figure }, (flags) =>
  Effect.gen(function* () {
    const found = yield* collectResults(flags.dir)
    const rows = yield* summarizeResults(found)
    yield* Console.log(flags.json ? JSON.stringify(reportJson(rows), null, 2) : formatReportMarkdown(rows))
    if (Option.isNone(flags.html)) return
    const out = flags.html.value
    // vega and vega-lite take ~0.7 s to load: only --html pays for them
    const { writeHtmlReport } = yield* Effect.promise(() => import("../report/index.js"))
    const fs = yield* FileSystem.FileSystem
    yield* fs.makeDirectory(path.dirname(path.resolve(out)), { recursive: true })
    yield* writeHtmlReport({ dir: flags.dir, found, figureFiles: flags.figure, out })
    yield* Console.error(`wrote ${out}`)
  })
).pipe(Command.withDescription(describe("report")))
