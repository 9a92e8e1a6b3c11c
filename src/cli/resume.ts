/**
 * `concner resume RUN_DIR`: continues a run from its last evaluation point (a run killed at any
 * moment, kill -9 included), with the spec recorded in `RUN_DIR/spec.json`; on the cpu backend it
 * reaches the same losses and metrics as an uninterrupted run. The native kernels take the GEMM and
 * threads of the run's last sitting (CONCNER_BLAS, CONCNER_THREADS or --threads choose others).
 */
import { Args, Command } from "@effect/cli"
import { Console, Effect } from "effect"
import { progressHooks, resumeExperiment } from "../experiment/index.js"
import { readRunJson, recordedNativeOf } from "../records/index.js"
import { describe } from "./commands.js"
import {
  backendOption,
  dataAndRuntime,
  dataOption,
  experimentOption,
  runOptions,
  teachersOption,
  threadsOption,
  trainingLayer
} from "./common.js"

const runDir = Args.directory({ name: "RUN_DIR", exists: "yes" })
const data = dataOption
const backend = backendOption

export const resumeCommand = Command.make(
  "resume",
  { runDir, data, backend, teachers: teachersOption, experiment: experimentOption, threads: threadsOption },
  (flags) =>
    Effect.gen(function* () {
      // an unreadable run.json is resumeExperiment's to report, with its reason
      const record = yield* Effect.option(readRunJson(flags.runDir))
      const numerics =
        record._tag === "Some" ? (record.value.resumes?.at(-1)?.numerics ?? record.value.numerics) : undefined
      return yield* resumeExperiment(flags.runDir, progressHooks(flags.runDir), runOptions(flags)).pipe(
        Effect.flatMap((result) => Console.log(JSON.stringify(result))),
        Effect.provide(trainingLayer(flags.experiment)),
        Effect.provide(dataAndRuntime({ ...flags, ...recordedNativeOf(numerics) }))
      )
    })
).pipe(Command.withDescription(describe("resume")))
