/**
 * `concner resume RUN_DIR`: continues a run from its last evaluation point (a run killed at any
 * moment, kill -9 included), with the spec recorded in `RUN_DIR/spec.json`; on the cpu backend it
 * reaches the same losses and metrics as an uninterrupted run. The native kernels take the GEMM and
 * threads of the run's last sitting (CONCNER_BLAS, CONCNER_THREADS or --threads choose others).
 */
import { Command } from "@effect/cli"
import { Console, Effect } from "effect"
import {
  formatResults,
  plannedStages,
  progressHooks,
  recordedSpec,
  resumeExperiment
} from "../experiment/index.js"
import { readRunJson, recordedNativeOf } from "../records/index.js"
import { Progress } from "../runtime/index.js"
import { describe } from "./commands.js"
import {
  backendOption,
  dataAndRuntime,
  dataOption,
  experimentOption,
  givenFlags,
  jsonResultOption,
  progressLayer,
  quietOption,
  runDirArg,
  runOptions,
  teachersOption,
  threadsOption,
  trainingLayer
} from "./common.js"

const data = dataOption
const backend = backendOption

export const resumeCommand = Command.make(
  "resume",
  {
    runDir: runDirArg,
    data,
    backend,
    teachers: teachersOption,
    experiment: experimentOption,
    threads: threadsOption,
    quiet: quietOption,
    json: jsonResultOption
  },
  (flags) =>
    Effect.gen(function* () {
      // an unreadable run.json is resumeExperiment's to report, with its reason
      const record = yield* Effect.option(readRunJson(flags.runDir))
      const numerics =
        record._tag === "Some" ? (record.value.resumes?.at(-1)?.numerics ?? record.value.numerics) : undefined
      const progress = yield* Progress
      // an unreadable spec.json too
      const spec = yield* Effect.option(recordedSpec(flags.runDir))
      if (spec._tag === "Some") yield* progress.plan(plannedStages(spec.value))
      return yield* resumeExperiment(
        flags.runDir,
        progressHooks(flags.runDir, progress),
        runOptions(flags)
      ).pipe(
        Effect.provide(trainingLayer(flags.experiment)),
        Effect.provide(dataAndRuntime({ ...flags, ...recordedNativeOf(numerics) }))
      )
    }).pipe(
      Effect.provide(
        progressLayer(flags.quiet, [
          "resume",
          flags.runDir,
          ...givenFlags({
            data: flags.data,
            backend: flags.backend,
            teachers: flags.teachers,
            experiment: flags.experiment,
            threads: flags.threads
          })
        ])
      ),
      // printed once progress has closed (on a terminal, it would land on the status line)
      Effect.flatMap((result) => Console.log(flags.json ? JSON.stringify(result) : formatResults([result])))
    )
).pipe(Command.withDescription(describe("resume")))
