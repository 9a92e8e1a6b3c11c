/**
 * Runs one command with @effect/cli: its module is imported here (`load`), so only the stages it
 * needs are loaded. Failures print `message` (for data errors `file:line: reason`) on stderr and
 * exit non-zero; Ctrl-C and SIGTERM interrupt the command.
 */
import { Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Exit, ParseResult } from "effect"
import { schemaIssues } from "../data/index.js"
import type { CommandName } from "./commands.js"

// biome-ignore lint/suspicious/noExplicitAny: each command has its own name and flags; only @effect/cli reads them
type AnyCommand = Command.Command<any, NodeContext.NodeContext, unknown, any>

/** Each command's module, imported when that command runs. */
const load: Record<CommandName, () => Promise<AnyCommand>> = {
  quickstart: () => import("./quickstart.js").then((m) => m.quickstartCommand),
  train: () => import("./train.js").then((m) => m.trainCommand),
  resume: () => import("./resume.js").then((m) => m.resumeCommand),
  run: () => import("./run.js").then((m) => m.runCommand),
  report: () => import("./report.js").then((m) => m.reportCommand),
  runs: () => import("./runs.js").then((m) => m.runsCommand),
  evaluate: () => import("./evaluate.js").then((m) => m.evaluateCommand),
  predict: () => import("./predict.js").then((m) => m.predictCommand),
  encode: () => import("./encode.js").then((m) => m.encodeCommand),
  visualize: () => import("./visualize.js").then((m) => m.visualizeCommand),
  translate: () => import("./translate.js").then((m) => m.translateCommand),
  data: () => import("./data.js").then((m) => m.dataCommand),
  model: () => import("./model.js").then((m) => m.modelCommand),
  vocab: () => import("./vocab.js").then((m) => m.vocabCommand),
  pretrain: () => import("./pretrain.js").then((m) => m.pretrainCommand),
  runner: () => import("./runner.js").then((m) => m.runnerCommand),
  status: () => import("./status.js").then((m) => m.statusCommand),
  doctor: () => import("./doctor.js").then((m) => m.doctorCommand),
  "runner-cell": () => import("./runner.js").then((m) => m.runnerCellCommand)
}

// `--verbose` (anywhere on the line) adds the stack trace to any failure; it is not a command's flag
const verbose = process.argv.includes("--verbose")
const argv = process.argv.filter((arg) => arg !== "--verbose")

// a Schema failure leads with its field and reason, not with the schema's whole type
const messageOf = (e: unknown) =>
  ParseResult.isParseError(e) ? schemaIssues(e).join("\n") : e instanceof Error ? e.message : String(e)

// @effect/cli prints its own validation errors (bad flags, missing files); every other failure is
// a tagged error whose message names the file and line, or the run, step and batch. A defect is a
// bug in concner: it says so, and shows its stack only with --verbose.
const reportFailure = (cause: Cause.Cause<unknown>) => {
  if (Cause.isInterruptedOnly(cause)) return Effect.void
  const failures = [...Cause.failures(cause)]
  if (failures.length > 0 && failures.every(ValidationError.isValidationError)) return Effect.void
  const trace = verbose ? `\n${Cause.pretty(cause)}` : ""
  if (failures.length > 0) return Console.error(`${failures.map(messageOf).join("\n")}${trace}`)
  const defect = [...Cause.defects(cause)][0]
  return Console.error(
    `concner: internal error, a bug in concner rather than in its input (please report it): ${messageOf(defect)}${
      verbose ? trace : " (--verbose shows the stack trace)"
    }`
  )
}

// Ctrl-C / SIGTERM interrupt the command (runMain); a workflow engine (`concner run`, `runner`)
// may still wait on its in-flight cells, so a signal not obeyed within a grace period ends the
// process. Nothing is lost: run directories are written atomically and resume, a cell's training
// child exits when its parent's IPC channel closes, and a cluster cell's lease expires.
// Either way the exit status is the shell's 128 + signal number.
const GRACE_MS = 10_000
let signalled: number | undefined
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143]
] as const)
  process.on(signal, () => {
    signalled ??= code
    setTimeout(() => {
      process.stderr.write(`concner: still running ${GRACE_MS / 1000} s after ${signal}; exiting\n`)
      process.exit(code)
    }, GRACE_MS).unref()
  })

/** Runs `command` on the process's argv. */
export const execute = (command: CommandName, version: string) =>
  Effect.promise(load[command]).pipe(
    Effect.flatMap((subcommand) =>
      Command.run(Command.make("concner").pipe(Command.withSubcommands([subcommand])), {
        name: "concner",
        version
      })(argv)
    ),
    Effect.tapErrorCause(reportFailure),
    Effect.provide(NodeContext.layer),
    NodeRuntime.runMain({
      disableErrorReporting: true,
      teardown: (exit, onExit) =>
        onExit(signalled ?? (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause) ? 1 : 0))
    })
  )
