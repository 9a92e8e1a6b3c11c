import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { loadCheckpoint } from "../../src/model/checkpoint.js"
import { convertCheckpoint } from "../../src/model/convert.js"
import { readSafetensors } from "../../src/model/safetensors.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { writeTinyModel } from "../support/tinyModel.js"

const text = [["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."]]

layer(Layer.mergeAll(NodeContext.layer, TensorRuntime.layer({ backend: "cpu" })))(
  "convertCheckpoint",
  (it) => {
    it.scoped("F16 keeps every tensor within half precision and copies the other files byte for byte", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const f32 = path.join(dir, "f32")
        const f16 = path.join(dir, "f16")
        yield* writeTinyModel(f32, text, ["O", "B-PER", "I-PER"], { vocabSize: 60 })
        const { tensors } = yield* convertCheckpoint(f32, f16, "F16")
        const before = yield* readSafetensors(path.join(f32, "model.safetensors"))
        const after = yield* readSafetensors(path.join(f16, "model.safetensors"))
        expect(tensors).toBe(before.tensors.size)
        expect(after.metadata).toStrictEqual(before.metadata)
        for (const [name, t] of before.tensors) {
          const h = after.tensors.get(name)!
          expect(h.dtype).toBe("F16")
          expect(h.shape).toStrictEqual(t.shape)
          const data = t.data as Float32Array
          // binary16 keeps 11 significant bits: relative error ≤ 2^-11 (tiny values are subnormal)
          data.forEach((x, i) =>
            expect(Math.abs((h.data as Float32Array)[i]! - x)).toBeLessThanOrEqual(
              Math.abs(x) * 2 ** -11 + 1e-7
            )
          )
        }
        const others = (yield* fs.readDirectory(f32)).filter((f) => f !== "model.safetensors").sort()
        expect((yield* fs.readDirectory(f16)).filter((f) => f !== "model.safetensors").sort()).toStrictEqual(
          others
        )
        for (const f of others)
          expect(yield* fs.readFile(path.join(f16, f))).toStrictEqual(yield* fs.readFile(path.join(f32, f)))
        const loaded = yield* loadCheckpoint(f16)
        expect(loaded.report.widened).toStrictEqual(["F16"])
      })
    )

    it.scoped("refuses a folder with a non-float tensor, naming it", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const f32 = path.join(dir, "f32")
        yield* writeTinyModel(f32, text, ["O", "B-PER", "I-PER"], { vocabSize: 60 })
        // an int64 tensor (as some exporters add `position_ids`) written by hand: 8-byte header length, header, data
        const header = JSON.stringify({ position_ids: { dtype: "I64", shape: [1], data_offsets: [0, 8] } })
        const padded = header.padEnd(Math.ceil(header.length / 8) * 8, " ")
        const bytes = new Uint8Array(8 + padded.length + 8)
        new DataView(bytes.buffer).setBigUint64(0, BigInt(padded.length), true)
        bytes.set(new TextEncoder().encode(padded), 8)
        yield* fs.writeFile(path.join(f32, "model.safetensors"), bytes)
        const error = yield* Effect.flip(convertCheckpoint(f32, path.join(dir, "out"), "F16"))
        expect(error.message).toContain("position_ids is I64")
      })
    )
  }
)
