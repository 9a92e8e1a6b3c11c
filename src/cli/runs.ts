/**
 * `concner runs DIR [--where field=value]… [--json]`: every run under DIR with its key fields
 * (name, tags, cell, seed, state, test F1, finish time), filtered by `--where`.
 */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { formatRuns, listRuns, whereRuns } from "../report/index.js"
import { describe } from "./commands.js"
import { jsonOption } from "./common.js"

const dir = Args.directory({ name: "DIR", exists: "yes" }).pipe(
  Args.withDescription("a folder of runs (each folder with a spec.json, finished or not)")
)
const where = Options.text("where").pipe(
  Options.repeated,
  Options.withDescription(
    "keep the runs whose field has this value: name, tag, state, method, size, dir or any spec field by its path (protocol.maxSteps=8); repeat to narrow"
  )
)
const json = jsonOption.pipe(Options.withDescription("print the runs as JSON"))

export const runsCommand = Command.make("runs", { dir, where, json }, (flags) =>
  Effect.gen(function* () {
    const runs = yield* whereRuns(yield* listRuns(flags.dir), flags.where)
    yield* Console.log(flags.json ? JSON.stringify(runs, null, 2) : formatRuns(runs))
  })
).pipe(Command.withDescription(describe("runs")))
