/**
 * How a spec names its encoder: an absolute folder, or a folder relative to the concner package
 * root. Folders inside the package (the shipped `models/concner-small`) are recorded relative, so a
 * committed `spec.json` names the same encoder — and has the same hash — in every clone.
 */
import * as path from "node:path"
import { Effect } from "effect"
import { packageRoot } from "./runRecord.js"

/** `dir` (relative to the working directory) as a spec records it. */
export const specModelPath = Effect.fn("Experiment.specModelPath")(function* (dir: string) {
  const root = (yield* packageRoot()).dir
  const absolute = path.resolve(dir)
  const relative = path.relative(root, absolute)
  return relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? absolute : relative
})

/** The folder a spec's `model` names. */
export const modelDir = Effect.fn("Experiment.modelDir")(function* (model: string) {
  return path.isAbsolute(model) ? model : path.join((yield* packageRoot()).dir, model)
})

/** The encoder folder's files a run reads: `run.json` hashes them, and they key a shared teacher. */
export const ENCODER_FILES = ["model.safetensors", "vocab.txt"]
