/**
 * Re-stores a checkpoint folder's weights in another float dtype (F16 halves a shipped encoder;
 * the loader widens it back to f32), keeping every tensor name, shape and the file's metadata, and
 * copying the folder's other files (config, vocabulary, tokenizer files, model card) byte for byte.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Data, Effect } from "effect"
import { type FloatDtype, type FloatTensor, readSafetensors, writeSafetensors } from "./safetensors.js"

const WEIGHTS = "model.safetensors"

/** A tensor that is not a float cannot be stored as F16/F32 without changing what it means. */
export class NotAFloatTensor extends Data.TaggedError("NotAFloatTensor")<{
  readonly file: string
  readonly tensor: string
  readonly dtype: string
}> {
  override get message() {
    return `${this.file}: tensor ${this.tensor} is ${this.dtype}, not a float: cannot convert`
  }
}

export const convertCheckpoint = Effect.fn("Model.convert")(function* (
  from: string,
  to: string,
  dtype: FloatDtype
) {
  const fs = yield* FileSystem.FileSystem
  const file = path.join(from, WEIGHTS)
  const { tensors, metadata } = yield* readSafetensors(file)
  const floats = new Map<string, FloatTensor>()
  for (const [name, t] of tensors) {
    if (t.dtype !== "F32" && t.dtype !== "F16" && t.dtype !== "BF16")
      return yield* new NotAFloatTensor({ file, tensor: name, dtype: t.dtype })
    floats.set(name, { shape: t.shape, data: t.data })
  }
  yield* fs.makeDirectory(to, { recursive: true })
  for (const name of yield* fs.readDirectory(from)) {
    const source = path.join(from, name)
    if (name === WEIGHTS || (yield* fs.stat(source)).type !== "File") continue
    yield* fs.copyFile(source, path.join(to, name))
  }
  yield* writeSafetensors(path.join(to, WEIGHTS), floats, metadata, dtype)
  return { tensors: floats.size, bytes: Number((yield* fs.stat(path.join(to, WEIGHTS))).size) }
})
