/**
 * The encoder concner ships (`models/concner-small`, pretrained by `concner pretrain` on the shared
 * data's train/dev text; see its MODEL_CARD.md): the default `--model` of the quickstart and of
 * `cpu`-protocol runs, so that they measure a pretrained multilingual encoder, not a random one.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Data, Effect } from "effect"
import { packageRoot } from "../records/runRecord.js"

export const SHIPPED_ENCODER = "models/concner-small"

/** The shipped encoder's folder is missing (a partial checkout, or one made without Git LFS). */
export class ShippedEncoderMissing extends Data.TaggedError("ShippedEncoderMissing")<{
  readonly dir: string
}> {
  override get message() {
    return `${this.dir}: the shipped encoder is missing (no config.json): pass --model DIR`
  }
}

/** The absolute folder of the shipped encoder, checked to hold a checkpoint. */
export const shippedEncoder = Effect.fn("Model.shippedEncoder")(function* () {
  const fs = yield* FileSystem.FileSystem
  const dir = path.join((yield* packageRoot()).dir, SHIPPED_ENCODER)
  if (!(yield* fs.exists(path.join(dir, "config.json")))) return yield* new ShippedEncoderMissing({ dir })
  return dir
})
