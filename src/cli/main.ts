/**
 * The `concner` executable: parses argv with @effect/cli and runs one subcommand.
 * Every subcommand lives in its own file and is thin (parse flags, build layers, call a stage).
 * Failures print `message` (for data errors `file:line: reason`) on stderr and exit non-zero.
 */
import { Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Exit, ParseResult } from "effect"
import { schemaIssues } from "../data/schemaIssues.js"
import { dataCommand } from "./data.js"
import { doctorCommand } from "./doctor.js"
import { encodeCommand } from "./encode.js"
import { evaluateCommand } from "./evaluate.js"
import { modelCommand } from "./model.js"
import { predictCommand } from "./predict.js"
import { pretrainCommand } from "./pretrain.js"
import { quickstartCommand } from "./quickstart.js"
import { reportCommand } from "./report.js"
import { resumeCommand } from "./resume.js"
import { runCommand } from "./run.js"
import { runnerCellCommand, runnerCommand } from "./runner.js"
import { statusCommand } from "./status.js"
import { trainCommand } from "./train.js"
import { translateCommand } from "./translate.js"
import { visualizeCommand } from "./visualize.js"
import { vocabCommand } from "./vocab.js"

const concner = Command.make("concner").pipe(
  Command.withDescription("Cross-lingual NER with scarce source labels (ConCNER)"),
  Command.withSubcommands([
    dataCommand,
    evaluateCommand,
    modelCommand,
    encodeCommand,
    doctorCommand,
    trainCommand,
    resumeCommand,
    predictCommand,
    quickstartCommand,
    reportCommand,
    runCommand,
    runnerCommand,
    runnerCellCommand,
    statusCommand,
    visualizeCommand,
    translateCommand,
    vocabCommand,
    pretrainCommand
  ])
)

const cli = Command.run(concner, { name: "concner", version: "0.1.0" })

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

cli(argv).pipe(
  Effect.tapErrorCause(reportFailure),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    teardown: (exit, onExit) =>
      onExit(signalled ?? (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause) ? 1 : 0))
  })
)
