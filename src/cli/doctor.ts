/**
 * `concner doctor [--json] [--backend B] [--threads N]`: which tensor backend concner runs on, its version,
 * SIMD and threads, the native kernels' GEMM (with its instruction set) and threads and why, the kernels concner registered on it, memory, and why each faster backend is not in use.
 * The backend name is checked by the runtime (as `CONCNER_BACKEND` is), so both give the same error.
 */
import { Command, Options } from "@effect/cli"
import { Console, Effect, Schema } from "effect"
import { RuntimeInfo, TensorRuntime, backendChoices, formatRuntimeInfo } from "../runtime/index.js"
import { describe } from "./commands.js"
import { jsonOption, runtimeLayer, threadsOption } from "./common.js"
import { wrap } from "./wrap.js"

const json = jsonOption.pipe(Options.withDescription("print the report as one JSON object"))

const backend = Options.text("backend").pipe(
  Options.withDescription(
    `tensor backend to check: ${backendChoices.join(", ")} (default: CONCNER_BACKEND, else auto)`
  ),
  Options.optional
)

/** The report's lines wrapped to the terminal (80 columns elsewhere), values continuing under their column. */
const fitted = (report: string, width = process.stdout.columns ?? 80) =>
  report
    .split("\n")
    .flatMap((line) => {
      const label = /^(\s*\S[^:]*:\s+)/.exec(line)?.[1] ?? ""
      return line.length <= width
        ? [line]
        : wrap(line.slice(label.length), width, " ".repeat(label.length), label)
    })
    .join("\n")

export const doctorCommand = Command.make("doctor", { json, backend, threads: threadsOption }, (flags) =>
  Effect.gen(function* () {
    const info = yield* (yield* TensorRuntime).info
    yield* Console.log(
      flags.json
        ? JSON.stringify(Schema.encodeSync(RuntimeInfo)(info), null, 2)
        : fitted(formatRuntimeInfo(info))
    )
  }).pipe(Effect.provide(runtimeLayer(flags.backend, flags.threads)))
).pipe(Command.withDescription(describe("doctor")))
