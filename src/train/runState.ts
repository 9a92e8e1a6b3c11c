/**
 * The resumable state of a run, in one file written atomically: a safetensors file (readable by any
 * safetensors reader) whose tensors are the run's named f32 arrays — current weights, optimizer
 * moments, best weights; names are the caller's, e.g. `weights/<param>`, `adamw/<param>/m` — stored
 * 1-D, and whose `__metadata__` holds:
 *
 *   "concner.format"  "run-state/1"
 *   "concner.meta"    JSON of `RunStateMeta` (step, epoch, batchIndex, rngState, bestDev, extra)
 *   "concner.sha256"  hex SHA-256 of: the "concner.meta" string (UTF-8), then for each tensor in name
 *                     order the JSON `[name, length]` (UTF-8) followed by its float32 bytes
 *
 * The digest covers every name, length, value and the metadata, so a truncated or corrupted file is
 * reported as `TornStateFile` and never loaded. (Float bytes are hashed in host order: little-endian
 * hosts, which is every platform Node ships for.)
 */
import { createHash } from "node:crypto"
import { FileSystem } from "@effect/platform"
import { Effect, Either, ParseResult, Schema } from "effect"
import { type FloatTensor, decodeSafetensors, encodeSafetensors } from "../model/safetensors.js"
import { writeFileAtomic } from "../records/atomic.js"
import { TornStateFile } from "./errors.js"

const NonNegativeInt = Schema.Int.pipe(Schema.nonNegative())

/** Where a run stands; `step` counts optimizer updates done, (`epoch`, `batchIndex`) is the next batch. */
/** The run state's name in a run folder (fine-tuning and pretraining alike). */
export const STATE_FILE = "state.safetensors"

export class RunStateMeta extends Schema.Class<RunStateMeta>("RunStateMeta")({
  step: NonNegativeInt,
  epoch: NonNegativeInt,
  batchIndex: NonNegativeInt,
  /** Opaque to this module: whatever reproduces the run's random draws from here (e.g. a seed string). */
  rngState: Schema.String,
  bestDev: Schema.NullOr(Schema.Struct({ step: NonNegativeInt, f1: Schema.Number.pipe(Schema.finite()) })),
  /** Anything else the trainer needs back on resume (JSON values). */
  extra: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Unknown }), {
    default: () => ({})
  })
}) {}

export interface RunState {
  readonly meta: RunStateMeta
  readonly tensors: Readonly<Record<string, Float32Array>>
}

const FORMAT = "run-state/1"
const MetaJson = Schema.parseJson(RunStateMeta)

const digest = (metaJson: string, tensors: ReadonlyArray<readonly [string, Float32Array]>): string => {
  const hash = createHash("sha256").update(metaJson, "utf8")
  for (const [name, data] of tensors)
    hash
      .update(JSON.stringify([name, data.length]), "utf8")
      .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
  return hash.digest("hex")
}

const byName = (tensors: Readonly<Record<string, Float32Array>>) =>
  Object.entries(tensors).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

/** The file's bytes. A tensor name the format cannot hold (`__metadata__`, a lone surrogate) is a defect. */
export const encodeRunState = (state: RunState): Uint8Array => {
  const metaJson = Schema.encodeSync(MetaJson)(state.meta)
  const entries = byName(state.tensors)
  const tensors = new Map<string, FloatTensor>(
    entries.map(([name, data]) => [name, { shape: [data.length], data }])
  )
  const metadata = {
    "concner.format": FORMAT,
    "concner.meta": metaJson,
    "concner.sha256": digest(metaJson, entries)
  }
  return Either.getOrThrow(encodeSafetensors(tensors, metadata, "F32"))
}

/** Decodes a state file's bytes; `path` names it in errors. */
export const decodeRunState = (bytes: Uint8Array, path: string): Either.Either<RunState, TornStateFile> => {
  const torn = (reason: string) => Either.left(new TornStateFile({ path, reason }))
  const file = decodeSafetensors(bytes, path)
  if (Either.isLeft(file)) return torn(file.left.message)
  const { metadata, tensors } = file.right
  if (metadata["concner.format"] !== FORMAT)
    return torn(`format is ${metadata["concner.format"]}, expected ${FORMAT}`)
  const metaJson = metadata["concner.meta"]
  const recorded = metadata["concner.sha256"]
  if (metaJson === undefined || recorded === undefined)
    return torn("no concner.meta or concner.sha256 metadata")
  const entries: Array<[string, Float32Array]> = []
  for (const [name, t] of tensors) {
    if (t.dtype !== "F32" || t.shape.length !== 1) return torn(`tensor ${name} is not a 1-D F32 array`)
    entries.push([name, t.data])
  }
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  if (digest(metaJson, entries) !== recorded)
    return torn("SHA-256 of the contents does not match the recorded one")
  const meta = Schema.decodeEither(MetaJson)(metaJson)
  if (Either.isLeft(meta)) return torn(`metadata: ${ParseResult.TreeFormatter.formatErrorSync(meta.left)}`)
  return Either.right({ meta: meta.right, tensors: Object.fromEntries(entries) })
}

/** Writes the state atomically and durably (see `writeFileAtomic`). */
export const writeRunState = Effect.fn("RunState.write")(function* (path: string, state: RunState) {
  yield* writeFileAtomic(path, encodeRunState(state))
})

/** Reads a state file; a truncated or corrupted one fails with `TornStateFile`. */
export const readRunState = Effect.fn("RunState.read")(function* (path: string) {
  const fs = yield* FileSystem.FileSystem
  return yield* decodeRunState(yield* fs.readFile(path), path)
})
