/**
 * The line protocol shared by external engines: one line per sentence in on stdin, one line per
 * sentence out on stdout, the whole batch through one process. An engine that returns another
 * number of lines breaks the alignment of the batch, which fails as `EngineOutputError`.
 */
import { Command } from "@effect/platform"
import * as CommandExecutor from "@effect/platform/CommandExecutor"
import { Effect, Stream } from "effect"
import { EngineError, EngineOutputError } from "./errors.js"

/** An engine that maps lines to lines (same count, same order). */
export interface LineEngine {
  /** Names the engine and everything that changes its output (the cache key). */
  readonly name: string
  readonly run: (
    lines: ReadonlyArray<string>
  ) => Effect.Effect<ReadonlyArray<string>, EngineError | EngineOutputError>
}

/** Output text as lines: LF or CRLF, the final line break optional. */
export const outputLines = (text: string): Array<string> => {
  if (text === "") return []
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""))
  if (lines[lines.length - 1] === "") lines.pop()
  return lines
}

/** Runs `argv` once, feeding `lines` on stdin; fails unless it exits 0 with one line per input line. */
export const runProcessLines = Effect.fn("Translator.runProcess")(function* (
  name: string,
  argv: readonly [string, ...Array<string>],
  lines: ReadonlyArray<string>
) {
  if (lines.length === 0) return []
  const command = Command.make(argv[0], ...argv.slice(1)).pipe(
    Command.feed(lines.map((l) => `${l}\n`).join(""))
  )
  const text = (stream: Stream.Stream<Uint8Array, unknown>) =>
    stream.pipe(Stream.decodeText(), Stream.mkString)
  const [stdout, stderr, code] = yield* Effect.scoped(
    Effect.flatMap(Command.start(command), (process) =>
      Effect.all([text(process.stdout), text(process.stderr), process.exitCode], { concurrency: "unbounded" })
    )
  ).pipe(Effect.mapError((e) => new EngineError({ engine: name, reason: String(e) })))
  if (code !== 0) {
    const tail = stderr.trim().split("\n").slice(-5).join("\n")
    return yield* new EngineError({
      engine: name,
      reason: `exited with code ${code}${tail === "" ? "" : `: ${tail}`}`
    })
  }
  const out = outputLines(stdout)
  if (out.length !== lines.length)
    return yield* new EngineOutputError({ engine: name, expected: lines.length, got: out.length })
  return out
})

/** A shell command (`sh -c`) speaking the line protocol. */
export const shellEngine = (command: string, executor: CommandExecutor.CommandExecutor): LineEngine => ({
  name: `command:${command}`,
  run: (lines) =>
    runProcessLines(`"${command}"`, ["sh", "-c", command], lines).pipe(
      Effect.provideService(CommandExecutor.CommandExecutor, executor)
    )
})
