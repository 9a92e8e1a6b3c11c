/**
 * `concner runner --cluster URL [--slots N] [--host H] [--port P]`: a runner of a cluster whose
 * shared store is the Postgres at URL. It trains the grid cells the cluster assigns it, at most N
 * at once (one per GPU, say), each in a child process (`concner runner-cell`), until stopped
 * (Ctrl-C). Every runner and submitter must see the run directories at the same paths (a shared
 * folder such as NFS) and the data at `--data`. Other runners and submitters reach it at H:P.
 *
 * `concner runner-cell RUN_DIR`: what a runner starts for one cell — `concner resume` that also
 * reports its progress to the runner and exits when the runner does.
 */
import * as os from "node:os"
import { Command, Options } from "@effect/cli"
import { Console, Effect, Layer } from "effect"
import { cellWorkflowLayer, childHooks, runnerEngine } from "../cluster/index.js"
import { resumeExperiment } from "../experiment/index.js"
import { Progress, shareThreadsAmong } from "../runtime/index.js"
import { describe } from "./commands.js"
import {
  backendOption,
  dataAndRuntime,
  dataOption,
  defaultTo,
  experimentOption,
  integerOption,
  progressLayer,
  runDirArg,
  runOptions,
  teachersOption,
  trainingLayer
} from "./common.js"

export const clusterOption = Options.text("cluster").pipe(
  Options.withDescription(
    "Postgres URL of the cluster's shared store, e.g. postgres://user@db-host:5432/concner"
  )
)

const slots = integerOption("slots").pipe(
  defaultTo(1),
  Options.withDescription("cells this runner trains at once (e.g. one per GPU)")
)
const host = Options.text("host").pipe(
  defaultTo(os.hostname(), "this machine's hostname"),
  Options.withDescription("the name other machines reach this runner by (default: this machine's hostname)")
)
const port = integerOption("port").pipe(
  defaultTo(34431),
  Options.withDescription("the port this runner listens on for the cluster")
)

/** The URL without its password, for logs. */
export const redactUrl = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")

export const runnerCommand = Command.make(
  "runner",
  { cluster: clusterOption, slots, host, port, data: dataOption, backend: backendOption },
  (flags) =>
    Effect.gen(function* () {
      const runnerId = `${flags.host}:${flags.port}`
      yield* shareThreadsAmong(flags.slots) // each slot's cell gets its share of the cores
      const runner = cellWorkflowLayer({ slots: flags.slots, runnerId }).pipe(
        Layer.provideMerge(runnerEngine(flags.cluster, { host: flags.host, port: flags.port })),
        Layer.provide(dataAndRuntime(flags))
      )
      yield* Effect.scoped(
        Effect.zipRight(
          Layer.build(runner),
          Effect.zipRight(
            Console.error(
              `runner ${runnerId} ready: ${flags.slots} slot(s), store ${redactUrl(flags.cluster)}`
            ),
            Effect.never
          )
        )
      )
    })
).pipe(Command.withDescription(describe("runner")))

export const runnerCellCommand = Command.make(
  "runner-cell",
  {
    runDir: runDirArg,
    data: dataOption,
    backend: backendOption,
    teachers: teachersOption,
    experiment: experimentOption
  },
  (flags) =>
    Effect.flatMap(Progress, (progress) =>
      resumeExperiment(flags.runDir, childHooks(flags.runDir, progress), runOptions(flags))
    ).pipe(
      Effect.asVoid,
      Effect.provide(trainingLayer(flags.experiment)),
      Effect.provide(Layer.merge(dataAndRuntime(flags), progressLayer(false)))
    )
).pipe(Command.withDescription(describe("runner-cell")))
