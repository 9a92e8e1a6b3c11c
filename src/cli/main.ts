/**
 * The `concner` executable: parses argv with @effect/cli and runs one subcommand.
 * Every subcommand lives in its own file and is thin (parse flags, build layers, call a stage).
 * Failures print `message` (for data errors `file:line: reason`) on stderr and exit non-zero.
 */
import { Command } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Cause, Console, Effect } from "effect"
import { dataCommand } from "./data.js"

const concner = Command.make("concner").pipe(
  Command.withDescription("Cross-lingual NER with scarce source labels (ConCNER)"),
  Command.withSubcommands([dataCommand])
)

const cli = Command.run(concner, { name: "concner", version: "0.1.0" })

const reportFailure = (cause: Cause.Cause<unknown>) =>
  Cause.isInterruptedOnly(cause)
    ? Effect.void
    : Console.error(
        Cause.failures(cause).pipe((failures) =>
          [...failures].map((e) => (e instanceof Error ? e.message : String(e))).join("\n")
        ) || Cause.pretty(cause)
      )

cli(process.argv).pipe(
  Effect.tapErrorCause(reportFailure),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
