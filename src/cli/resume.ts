/**
 * `concner resume RUN_DIR`: continues a run from its last evaluation point (a run killed at any
 * moment, kill -9 included), with the spec recorded in `RUN_DIR/spec.json`; on the cpu backend it
 * reaches the same losses and metrics as an uninterrupted run.
 */
import { Args, Command } from "@effect/cli"
import { Console, Effect } from "effect"
import { progressHooks, resumeExperiment } from "../experiment/index.js"
import { describe } from "./commands.js"
import { backendOption, dataAndRuntime, dataOption, runOptions, teachersOption } from "./common.js"

const runDir = Args.directory({ name: "RUN_DIR", exists: "yes" })
const data = dataOption
const backend = backendOption

export const resumeCommand = Command.make(
  "resume",
  { runDir, data, backend, teachers: teachersOption },
  (flags) =>
    resumeExperiment(flags.runDir, progressHooks(flags.runDir), runOptions(flags.teachers)).pipe(
      Effect.flatMap((result) => Console.log(JSON.stringify(result))),
      Effect.provide(dataAndRuntime(flags))
    )
).pipe(Command.withDescription(describe("resume")))
