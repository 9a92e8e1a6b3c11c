/**
 * `concner report DIR [--json]`: every result.json under DIR as mean ± std of test F1 per cell
 * (corpus, language, size, method, protocol, encoder), next to the paper's numbers.
 */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { formatReportMarkdown, reportDir, reportJson } from "../experiment/report.js"

const dir = Args.directory({ name: "DIR", exists: "yes" })
const json = Options.boolean("json").pipe(
  Options.withDescription("print the rows as JSON instead of Markdown")
)

export const reportCommand = Command.make("report", { dir, json }, (flags) =>
  Effect.flatMap(reportDir(flags.dir), (rows) =>
    Console.log(flags.json ? JSON.stringify(reportJson(rows), null, 2) : formatReportMarkdown(rows))
  )
).pipe(Command.withDescription("summarise the runs under a folder (mean ± std over seeds) next to the paper"))
