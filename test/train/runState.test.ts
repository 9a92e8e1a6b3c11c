import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Either, FastCheck as fc } from "effect"
import { isAtomicTemp, writeFileAtomic } from "../../src/records/atomic.js"
import { TornStateFile } from "../../src/train/errors.js"
import {
  type RunState,
  RunStateMeta,
  decodeRunState,
  encodeRunState,
  readRunState,
  writeRunState
} from "../../src/train/runState.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)

const f32 = fc.float({ noDefaultInfinity: false, noNaN: false })
const runState: fc.Arbitrary<RunState> = fc.record({
  meta: fc
    .record({
      step: fc.nat(),
      epoch: fc.nat(),
      batchIndex: fc.nat(),
      rngState: fc.string(),
      bestDev: fc.option(fc.record({ step: fc.nat(), f1: fc.double({ min: 0, max: 100, noNaN: true }) }), {
        nil: null
      }),
      extra: fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.boolean()))
    })
    .map((m) => RunStateMeta.make(m)),
  tensors: fc.dictionary(
    fc.string({ minLength: 1 }).filter((s) => s !== "__metadata__"),
    fc.array(f32, { maxLength: 20 }).map((xs) => Float32Array.from(xs)),
    { maxKeys: 5 }
  )
})

const sample: RunState = {
  meta: RunStateMeta.make({
    step: 200,
    epoch: 1,
    batchIndex: 37,
    rngState: "42/1",
    bestDev: { step: 100, f1: 0.71 }
  }),
  tensors: {
    "weights/bert.encoder.layer.0.attention.self.query.weight": Float32Array.from(
      { length: 48 },
      (_, i) => i / 7
    ),
    "adamw/bert.encoder.layer.0.attention.self.query.weight/m": Float32Array.from(
      { length: 48 },
      (_, i) => -i
    ),
    "adamw/step": Float32Array.of(200)
  }
}

const sameState = (a: RunState, b: RunState) => {
  expect(b.meta).toStrictEqual(a.meta)
  expect(Object.keys(b.tensors).sort()).toStrictEqual(Object.keys(a.tensors).sort())
  // compare bits: NaN payloads and -0 must survive too
  for (const [k, v] of Object.entries(a.tensors))
    expect(new Uint32Array(b.tensors[k]!.slice().buffer)).toStrictEqual(new Uint32Array(v.slice().buffer))
}

describe("run state encoding", () => {
  it.prop(
    "write → read is the identity",
    [runState],
    ([state]) => {
      sameState(state, Either.getOrThrow(decodeRunState(encodeRunState(state), "s.safetensors")))
    },
    { fastCheck: { numRuns, seed: 61 } }
  )

  it.prop(
    "a file truncated at any offset is detected",
    [runState, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true })],
    ([state, at]) => {
      const bytes = encodeRunState(state)
      const cut = Math.floor(at * bytes.length)
      const result = decodeRunState(bytes.subarray(0, cut), "s.safetensors")
      expect(Either.isLeft(result) && result.left).toBeInstanceOf(TornStateFile)
    },
    { fastCheck: { numRuns, seed: 62 } }
  )

  it("every truncation of a sample file is detected", () => {
    const bytes = encodeRunState(sample)
    for (let cut = 0; cut < bytes.length; cut++)
      expect(Either.isLeft(decodeRunState(bytes.subarray(0, cut), "s"))).toBe(true)
  })

  it.prop(
    "a changed byte is detected or changes nothing that is read back",
    [fc.nat(), fc.integer({ min: 1, max: 255 })],
    ([where, xor]) => {
      const bytes = encodeRunState(sample).slice()
      bytes[where % bytes.length]! ^= xor
      const result = decodeRunState(bytes, "s")
      // e.g. a header padding space turned into a tab is still the same JSON
      if (Either.isRight(result)) sameState(sample, result.right)
    },
    { fastCheck: { numRuns, seed: 63 } }
  )

  it("a flipped bit in the data is reported with the path", () => {
    const bytes = encodeRunState(sample).slice()
    bytes[bytes.length - 3]! ^= 1
    expect(decodeRunState(bytes, "run/state.safetensors")).toStrictEqual(
      Either.left(
        new TornStateFile({
          path: "run/state.safetensors",
          reason: "SHA-256 of the contents does not match the recorded one"
        })
      )
    )
  })
})

layer(NodeFileSystem.layer)("run state files", (it) => {
  it.scoped("written atomically, read back, no temp file left", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = `${dir}/state.safetensors`
      yield* writeRunState(path, sample)
      yield* writeRunState(path, { ...sample, meta: RunStateMeta.make({ ...sample.meta, step: 300 }) })
      const back = yield* readRunState(path)
      expect(back.meta.step).toBe(300)
      expect(yield* fs.readDirectory(dir)).toStrictEqual(["state.safetensors"])
    })
  )

  it.scoped("a torn file on disk fails with TornStateFile", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = `${dir}/state.safetensors`
      yield* writeRunState(path, sample)
      yield* fs.truncate(path, 100)
      const error = yield* Effect.flip(readRunState(path))
      expect(error._tag).toBe("TornStateFile")
      expect(error.message).toContain(path)
    })
  )

  it.scoped("a failed write leaves the old file and no temp file", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* writeFileAtomic(`${dir}/a.json`, new TextEncoder().encode("old"))
      // renaming a file over a non-empty directory fails after the temp file was written
      yield* fs.makeDirectory(`${dir}/b`)
      yield* fs.writeFileString(`${dir}/b/x`, "")
      const failed = yield* Effect.either(writeFileAtomic(`${dir}/b`, new TextEncoder().encode("new")))
      expect(Either.isLeft(failed)).toBe(true)
      expect((yield* fs.readDirectory(dir)).sort()).toStrictEqual(["a.json", "b"])
      expect(yield* fs.readFileString(`${dir}/a.json`)).toBe("old")
    })
  )

  it("recognises its temp files", () => {
    expect(isAtomicTemp(".state.safetensors.1234.0.tmp")).toBe(true)
    expect(isAtomicTemp("state.safetensors")).toBe(false)
  })
})
