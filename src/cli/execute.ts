/**
 * Runs one command with @effect/cli: its module is imported here (`load`), so only the stages it
 * needs are loaded. Failures print `message` (for data errors `file:line: reason`) on stderr and
 * exit non-zero; Ctrl-C and SIGTERM interrupt the command.
 */
import { stripVTControlCharacters } from "node:util"
import { Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect, Exit, ParseResult } from "effect"
import { schemaIssues } from "../data/index.js"
import { normalizeArgv } from "./argv.js"
import type { CommandName } from "./commands.js"
import { flagProblem } from "./flagCheck.js"
import { helpWidth, renderHelp } from "./help.js"
import { load } from "./modules.js"

// `--verbose` (anywhere on the line) adds the stack trace to any failure; it is not a command's flag
const verbose = process.argv.includes("--verbose")

// @effect/cli colours its messages (a bad flag, a missing file): not in pipes and files, nor with NO_COLOR
const colour = (stream: NodeJS.WriteStream) => stream.isTTY === true && !process.env.NO_COLOR
const plain =
  (stream: NodeJS.WriteStream, write: (...args: ReadonlyArray<unknown>) => Effect.Effect<void>) =>
  (...args: ReadonlyArray<unknown>) =>
    write(
      ...(colour(stream) ? args : args.map((a) => (typeof a === "string" ? stripVTControlCharacters(a) : a)))
    )
const withPlainConsole = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.consoleWith((console) =>
    Effect.withConsole(effect, {
      ...console,
      log: plain(process.stdout, console.log),
      error: plain(process.stderr, console.error)
    })
  )

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

/** Runs `command` on the process's argv; `--help` (or `-h`) anywhere shows its help (help.ts). */
export const execute = (command: CommandName, version: string) => {
  const args = normalizeArgv(command, process.argv.slice(2))
  const help = args.includes("--help") || args.includes("-h")
  return Effect.promise(load[command]).pipe(
    Effect.flatMap((subcommand) =>
      help
        ? Console.log(renderHelp(subcommand, args, helpWidth()))
        : Effect.suspend(() => flagProblem(subcommand, args) ?? Effect.void).pipe(
            Effect.zipRight(
              Command.run(Command.make("concner").pipe(Command.withSubcommands([subcommand])), {
                name: "concner",
                version
              })([...process.argv.slice(0, 2), ...args])
            )
          )
    ),
    withPlainConsole,
    Effect.tapErrorCause(reportFailure),
    Effect.provide(NodeContext.layer),
    NodeRuntime.runMain({
      disableErrorReporting: true,
      teardown: (exit, onExit) =>
        onExit(signalled ?? (Exit.isFailure(exit) && !Cause.isInterruptedOnly(exit.cause) ? 1 : 0))
    })
  )
}
