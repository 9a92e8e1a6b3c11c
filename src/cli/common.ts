/**
 * Flags and layers most commands share: `--data` (the data root) and `--backend` (the tensor
 * backend), and the layer they select; `--teachers` for the commands that run a grid's cells.
 */
import { Options } from "@effect/cli"
import { Layer, Option } from "effect"
import { Corpora } from "../data/Corpora.js"
import { TensorRuntime, backendChoices } from "../runtime/TensorRuntime.js"
import type { RecordedNative } from "../runtime/nativeSettings.js"

export const dataOption = Options.directory("data").pipe(
  Options.optional,
  Options.withDescription("data root (default: CONCNER_DATA, else ../shared/data)")
)

export const backendOption = Options.choice("backend", backendChoices).pipe(
  Options.optional,
  Options.withDescription("tensor backend (default: CONCNER_BACKEND, else the fastest available)")
)

/** A grid's folder of finished teachers (`RunOptions.teachers`); the grid runners pass it. */
export const teachersOption = Options.directory("teachers").pipe(
  Options.optional,
  Options.withDescription(
    "a grid's folder of finished teachers: take this run's teacher from it when one with the same key is there, publish the one it trains"
  )
)

/** `RunOptions` from `--teachers`. */
export const runOptions = (teachers: Option.Option<string>) =>
  Option.match(teachers, { onNone: () => ({}), onSome: (dir) => ({ teachers: dir }) })

export const threadsOption = Options.integer("threads").pipe(
  Options.optional,
  Options.withDescription(
    "threads of the native kernels (default: CONCNER_THREADS, else every core; with the built-in GEMM results do not depend on it)"
  )
)

/** The tensor runtime `--backend` and `--threads` name, repeating a recorded run's GEMM and threads where given. */
export const runtimeLayer = (
  backend: Option.Option<string>,
  threads: Option.Option<number> = Option.none(),
  recordedNative?: RecordedNative
) =>
  TensorRuntime.layer({
    ...(Option.isSome(backend) ? { backend: backend.value } : {}),
    ...(Option.isSome(threads) ? { nativeThreads: threads.value } : {}),
    ...(recordedNative !== undefined ? { recordedNative } : {})
  })

/** Corpora at `--data` and the tensor runtime `--backend` and `--threads` name. */
export const dataAndRuntime = (flags: {
  readonly data: Option.Option<string>
  readonly backend: Option.Option<string>
  readonly threads?: Option.Option<number>
  readonly recordedNative?: RecordedNative
}) =>
  Layer.mergeAll(
    Corpora.at(Option.getOrUndefined(flags.data)),
    runtimeLayer(flags.backend, flags.threads, flags.recordedNative)
  )
