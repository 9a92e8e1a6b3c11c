/**
 * `concner run SPEC [--cluster URL] [--protocol cpu|paper] [--out DIR] [--model DIR] [--seeds N]
 * [--concurrency N]`: loads the grid — an experiment module's default export (TypeScript works:
 * bin/concner.js registers tsx) or a JSON grid file (`src/cluster/gridFile.ts`) — brings every
 * cell to completion as a durable workflow, showing each cell's progress, and prints each cell's
 * outcome and the report of the grid (mean ± std over seeds, next to the paper). Completed cells
 * are skipped, interrupted ones resumed. Without `--cluster` the cells run on this machine (the
 * local engine, `--concurrency` at once); with it, on the cluster's runners (`concner runner`),
 * and OUT must be a path every runner sees.
 */
import * as path from "node:path"
import { Args, Command, Options } from "@effect/cli"
import { Console, Data, Effect, Layer, Option } from "effect"
import { cellWorkflowLayer, clientEngine, gridPrinter, localEngine, submitGrid } from "../cluster/index.js"
import {
  cellLabel,
  expandGrid,
  formatOutcomes,
  loadGrid,
  loadLossTerms,
  protocols
} from "../experiment/index.js"
import { LossTerms, checkRegistered } from "../losses/index.js"
import { shippedEncoder } from "../model/index.js"
import { specModelPath } from "../records/index.js"
import { formatReportMarkdown, summarizeResults } from "../report/index.js"
import { shareThreadsAmong, stderrSink } from "../runtime/index.js"
import { describe } from "./commands.js"
import {
  backendOption,
  dataAndRuntime,
  dataOption,
  defaultTo,
  givenFlags,
  integerOption,
  modelOption,
  outOption,
  progressLayer,
  threadsOption
} from "./common.js"

const file = Args.file({ name: "SPEC", exists: "yes" }).pipe(
  Args.withDescription("an experiment module (experiments/*.ts) or a JSON grid file (*.json)")
)
const cluster = Options.text("cluster").pipe(
  Options.optional,
  Options.withDescription(
    "Postgres URL of a cluster (see `concner runner`): run the cells on its runners; default: on this machine"
  )
)
const protocol = Options.choice("protocol", ["cpu", "paper", "xlmr"]).pipe(
  Options.optional,
  Options.withDescription("training protocol (default: the grid's own, else cpu)")
)
const out = outOption.pipe(
  Options.optional,
  Options.withDescription("output folder (default runs/<grid name>)")
)
const model = modelOption.pipe(
  Options.optional,
  Options.withDescription(
    "encoder folder (default: the grid's, else under a protocol other than paper the shipped models/concner-small)"
  )
)
const seeds = integerOption("seeds").pipe(
  Options.optional,
  Options.withDescription("run only the grid's first N seeds")
)
const concurrency = integerOption("concurrency").pipe(
  defaultTo(1),
  Options.withDescription("cells at once on this machine (without --cluster), each in a child process")
)
const data = dataOption
const backend = backendOption

/** Some cells failed; the others' outcomes were printed. */
export class GridCellsFailed extends Data.TaggedError("GridCellsFailed")<{
  readonly failures: ReadonlyArray<string>
}> {
  override get message() {
    return `${this.failures.length} cell(s) failed:\n${this.failures.join("\n")}`
  }
}

export const runCommand = Command.make(
  "run",
  { file, cluster, protocol, out, model, seeds, concurrency, data, backend, threads: threadsOption },
  (flags) =>
    Effect.gen(function* () {
      const loaded = yield* loadGrid(flags.file)
      const grid = Option.match(flags.seeds, {
        onNone: () => loaded,
        onSome: (n) => ({ ...loaded, seeds: loaded.seeds.slice(0, n) })
      })
      const outDir = path.resolve(Option.getOrElse(flags.out, () => path.join("runs", grid.name)))
      const protocol = Option.match(flags.protocol, {
        onNone: () => grid.protocol ?? protocols.cpu,
        onSome: (name) => protocols[name]
      })
      // the paper and xlmr protocols name their encoder (mBERT, XLM-R); any other defaults to the shipped one
      const encoder = Option.isSome(flags.model)
        ? flags.model.value
        : (grid.model ??
          (protocol.name === "paper" || protocol.name === "xlmr" ? undefined : yield* shippedEncoder()))
      const cells = yield* expandGrid(grid, {
        out: outDir,
        protocol,
        ...(encoder !== undefined ? { model: yield* specModelPath(encoder) } : {})
      })
      for (const cell of cells)
        if (cell._tag === "Unavailable")
          yield* Console.error(`${cellLabel(cell)}: unavailable (${cell.reason})`)
      // the module's loss terms: every custom term a cell names must be among them (checked
      // here, before any cell starts); each cell's process loads them from the module again
      const terms = yield* loadLossTerms(flags.file)
      const runnable = cells.flatMap((cell) => (cell._tag === "Runnable" ? [cell.spec.method] : []))
      yield* Effect.forEach(runnable, checkRegistered, { discard: true }).pipe(
        Effect.provide(LossTerms.layer(terms))
      )
      // cells running at once share the cores: each child process reads its share from the environment
      if (Option.isNone(flags.cluster))
        yield* shareThreadsAmong(flags.concurrency, Option.getOrUndefined(flags.threads))
      const { outcomes, failures } = yield* Effect.scoped(
        Effect.gen(function* () {
          const printer = yield* gridPrinter(stderrSink)
          const submit = submitGrid(grid.name, cells, {
            onProgress: printer.print,
            teachers: path.join(outDir, "teachers"),
            ...(terms.length > 0 ? { experiment: path.resolve(flags.file) } : {}),
            ...(grid.tags === undefined ? {} : { tags: grid.tags })
          })
          return yield* Option.isSome(flags.cluster)
            ? Effect.provide(submit, clientEngine(flags.cluster.value))
            : Effect.provide(
                submit,
                cellWorkflowLayer({ slots: flags.concurrency, runnerId: "local" }).pipe(
                  Layer.provideMerge(localEngine)
                )
              )
        })
      )
      const rows = yield* summarizeResults(
        outcomes.flatMap((o) =>
          o.status === "unavailable"
            ? []
            : [{ file: path.join(o.cell.runDir, "result.json"), result: o.result }]
        )
      )
      yield* Console.log(`${formatOutcomes(outcomes)}\n\n${formatReportMarkdown(rows)}`)
      if (failures.length > 0)
        return yield* new GridCellsFailed({
          failures: failures.map((f) => `${cellLabel(f.cell)}: ${f.error.message}`)
        })
    }).pipe(
      Effect.provide(dataAndRuntime(flags)),
      // the cells' own progress is the printer's; on Ctrl-C, the grid resumes when submitted again
      Effect.provide(
        progressLayer(true, [
          "run",
          flags.file,
          ...givenFlags({
            out: flags.out,
            cluster: flags.cluster,
            protocol: flags.protocol,
            model: flags.model,
            seeds: flags.seeds,
            concurrency: flags.concurrency === 1 ? Option.none() : Option.some(flags.concurrency),
            data: flags.data,
            backend: flags.backend,
            threads: flags.threads
          })
        ])
      )
    )
).pipe(Command.withDescription(describe("run")))
