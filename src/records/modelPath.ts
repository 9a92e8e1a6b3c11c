/**
 * How a spec names its encoder: a folder relative to the concner package root — the shipped
 * `models/concner-small`, or `../encoders/mine` for one beside the checkout — so a committed
 * `spec.json` names the same encoder, and has the same hash, in every clone laid out alike, and
 * holds no path of the machine that made it. Specs recorded before concner did this may name an
 * absolute folder; `modelDir` still reads them.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import { packageRoot } from "./runRecord.js"

/** `dir` (relative to the working directory) as a spec records it. */
export const specModelPath = Effect.fn("Experiment.specModelPath")(function* (dir: string) {
  const root = (yield* packageRoot()).dir
  const absolute = path.resolve(dir)
  const relative = path.relative(root, absolute)
  // another drive (Windows) has no relative path
  return relative === "" || path.isAbsolute(relative) ? absolute : relative
})

/** The folder a spec's `model` names. */
export const modelDir = Effect.fn("Experiment.modelDir")(function* (model: string) {
  return path.isAbsolute(model) ? model : path.join((yield* packageRoot()).dir, model)
})

/**
 * The encoder folder's files a run reads: `run.json` hashes them, and they key a shared teacher. The
 * weights and the tokenizer's file: `sentencepiece.bpe.model` for an XLM-R folder, else `vocab.txt`.
 */
export const encoderFiles = Effect.fn("Experiment.encoderFiles")(function* (encoder: string) {
  const fs = yield* FileSystem.FileSystem
  const sentencePiece = path.join(encoder, "sentencepiece.bpe.model")
  const tokenizer = (yield* fs.exists(sentencePiece)) ? sentencePiece : path.join(encoder, "vocab.txt")
  return [path.join(encoder, "model.safetensors"), tokenizer]
})
