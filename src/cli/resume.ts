/**
 * `concner resume RUN_DIR`: continues a run from its last evaluation point (a run killed at any
 * moment, kill -9 included), with the spec recorded in `RUN_DIR/spec.json`; on the cpu backend it
 * reaches the same losses and metrics as an uninterrupted run.
 */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { progressHooks } from "../experiment/progress.js"
import { resumeExperiment } from "../experiment/run.js"
import { backendOption, dataAndRuntime, runOptions, teachersOption } from "./common.js"

const runDir = Args.directory({ name: "RUN_DIR", exists: "yes" })
const data = Options.directory("data").pipe(
  Options.optional,
  Options.withDescription("data root (default CONCNER_DATA or ../shared/data)")
)
const backend = backendOption

export const resumeCommand = Command.make(
  "resume",
  { runDir, data, backend, teachers: teachersOption },
  (flags) =>
    resumeExperiment(flags.runDir, progressHooks(flags.runDir), runOptions(flags.teachers)).pipe(
      Effect.flatMap((result) => Console.log(JSON.stringify(result))),
      Effect.provide(dataAndRuntime(flags))
    )
).pipe(Command.withDescription("continue an interrupted run from its last evaluation point"))
