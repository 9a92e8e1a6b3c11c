import { readFileSync } from "node:fs"
import { join } from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Either, Exit, FastCheck as fc } from "effect"
import {
  SafetensorsDuplicateName,
  SafetensorsEncodeError,
  SafetensorsEntryError,
  SafetensorsHeaderLengthError,
  SafetensorsOffsetError,
  SafetensorsSizeMismatch,
  SafetensorsTrailingBytes,
  SafetensorsUnknownDtype
} from "../../src/model/errors.js"
import { floatBitsToHalf, halfBitsToFloat } from "../../src/model/half.js"
import {
  type FloatTensor,
  type SafeTensor,
  decodeSafetensors,
  encodeSafetensors,
  readSafetensors,
  writeSafetensors
} from "../../src/model/safetensors.js"

const runs = Number(process.env.CONCNER_PROP_RUNS ?? 100)
const props = (seed: number) => ({ fastCheck: { seed, numRuns: runs } })
const FIXTURES = join(import.meta.dirname, "../fixtures/safetensors")
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)))

const ok = <A, E>(either: Either.Either<A, E>): A => {
  if (Either.isLeft(either)) throw new Error(`expected success, got ${String(either.left)}`)
  return either.right
}
const f32 = (...xs: Array<number>) => Float32Array.from(xs)
const bitsOf = (x: number) => new Uint32Array(f32(x).buffer)[0]!

/** A file from header text and data bytes, with the length prefix computed (the hostile cases' base). */
const file = (header: string, data: Uint8Array = new Uint8Array(0), length?: bigint) => {
  const json = new TextEncoder().encode(header)
  const out = new Uint8Array(8 + json.length + data.length)
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(json.length), true)
  out.set(json, 8)
  out.set(data, 8 + json.length)
  return out
}
const entry = (dtype: string, shape: ReadonlyArray<number>, begin: number, end: number) =>
  JSON.stringify({ dtype, shape, data_offsets: [begin, end] })

/**
 * Reference rounding to binary16, independent of the bit manipulation under test: the nearest of all
 * finite halves by exact double arithmetic, ties to the even bit pattern, ±∞ from 65520 (65504 + ½ ulp).
 */
const finiteHalves = Array.from({ length: 0x7c00 }, (_, h) => halfBitsToFloat(h))
const referenceHalf = (x: number): number => {
  if (Number.isNaN(x)) return Number.NaN
  const a = Math.abs(x)
  const sign = x < 0 || Object.is(x, -0) ? -1 : 1
  if (a >= 65520) return sign * Number.POSITIVE_INFINITY
  let lo = 0
  let hi = finiteHalves.length - 1
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if (finiteHalves[mid]! <= a) lo = mid
    else hi = mid
  }
  const dLo = a - finiteHalves[lo]!
  const dHi = finiteHalves[hi]! - a
  const pick = dLo < dHi ? lo : dHi < dLo ? hi : lo % 2 === 0 ? lo : hi
  return sign * finiteHalves[pick]!
}

describe("fixtures written by the reference library (safetensors 0.8.0)", () => {
  it("reads every dtype, a 0-d scalar and a zero-size tensor", () => {
    const { tensors, metadata } = ok(decodeSafetensors(fixture("mixed.safetensors"), "mixed.safetensors"))
    expect(metadata).toStrictEqual({ format: "pt", note: "concner fixture" })
    const get = (name: string): SafeTensor => tensors.get(name)!
    expect(get("f32.matrix")).toStrictEqual({
      dtype: "F32",
      shape: [2, 3],
      data: f32(-0.5, -0.25, 0, 0.25, 0.5, 0.75)
    })
    expect(get("f32.scalar")).toStrictEqual({ dtype: "F32", shape: [], data: f32(3.5) })
    expect(get("f32.empty")).toStrictEqual({ dtype: "F32", shape: [0, 4], data: f32() })
    expect(get("f16.vector")).toStrictEqual({
      dtype: "F16",
      shape: [6],
      data: f32(0.5, -1.25, 65504, 2 ** -24, -0, Number.POSITIVE_INFINITY)
    })
    expect(Object.is(get("f16.vector").data[4], -0)).toBe(true)
    expect(get("bf16.vector")).toStrictEqual({
      dtype: "BF16",
      shape: [2, 3],
      data: f32(1, -2.5, 3.140625, 2 ** 100, -(2 ** -100), 0)
    })
    expect(get("i64.position_ids")).toStrictEqual({
      dtype: "I64",
      shape: [1, 4],
      data: BigInt64Array.from([0n, 1n, 2n, -(2n ** 40n)])
    })
    expect(get("i32.vector")).toStrictEqual({
      dtype: "I32",
      shape: [3],
      data: Int32Array.from([-7, 0, 2 ** 31 - 1])
    })
    expect(get("u8.vector")).toStrictEqual({
      dtype: "U8",
      shape: [4],
      data: Uint8Array.from([0, 1, 128, 255])
    })
    expect(get("bool.mask")).toStrictEqual({
      dtype: "BOOL",
      shape: [2, 2],
      data: Uint8Array.from([1, 0, 0, 1])
    })
    // file order is offset order: the reference sorts by dtype alignment, then name
    expect([...tensors.keys()]).toStrictEqual([
      "i64.position_ids",
      "f32.empty",
      "f32.matrix",
      "f32.scalar",
      "i32.vector",
      "bf16.vector",
      "f16.vector",
      "u8.vector",
      "bool.mask"
    ])
  })

  // the fixture's tensors (make_fixtures.py): UTF-8 and UTF-16 orders differ for "ｚ" and "😀"
  const values = f32(0.1, 1 / 3, -2 / 3, 65519, 65520, 2 ** -25, 3 * 2 ** -26, 1e-8, 1e5, -0)
  const tensors = new Map<string, FloatTensor>([
    ["b.weight", { shape: [2, 5], data: values }],
    ["a", { shape: [], data: f32(1.5) }],
    ["\uff5a", { shape: [3], data: f32(0, 1, 2) }],
    ["\u{1f600}", { shape: [0], data: f32() }],
    ["emb.\u00fc", { shape: [1, 2], data: f32(1, -1) }]
  ])

  it("writes F32 byte for byte as the reference does", () => {
    expect(ok(encodeSafetensors(tensors, { format: "pt" }, "F32"))).toStrictEqual(fixture("f32.safetensors"))
  })

  it("writes F16 byte for byte as the reference does (numpy's round to nearest even)", () => {
    expect(ok(encodeSafetensors(tensors, { format: "pt" }, "F16"))).toStrictEqual(fixture("f16.safetensors"))
  })

  it("writes the empty file as the format's reference tests spell it", () => {
    // 8-byte length 8, "{}" padded with six spaces (safetensors tensor.rs `test_empty`)
    const expected = Uint8Array.from([8, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d, 32, 32, 32, 32, 32, 32])
    expect(ok(encodeSafetensors(new Map(), {}, "F32"))).toStrictEqual(expected)
  })

  it("keeps integer-like and __proto__ names as ordinary keys in sorted order", () => {
    const one = { shape: [1], data: f32(1) }
    const bytes = ok(
      encodeSafetensors(
        new Map([
          ["9", one],
          ["10", one],
          ["__proto__", one]
        ]),
        {},
        "F32"
      )
    )
    const decoded = ok(decodeSafetensors(bytes, "names"))
    expect([...decoded.tensors.keys()]).toStrictEqual(["10", "9", "__proto__"])
    const header = new TextDecoder().decode(
      bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true)))
    )
    expect(header.indexOf('"10"')).toBeLessThan(header.indexOf('"9"'))
  })
})

describe("half precision", () => {
  it("rounds every half and every midpoint between neighbours like the reference", () => {
    const wrong: Array<number> = [] // one expect per value would take seconds
    for (let h = 0; h < 0x7c00; h++) {
      const x = halfBitsToFloat(h)
      if (floatBitsToHalf(bitsOf(x)) !== h || floatBitsToHalf(bitsOf(-x)) !== (h | 0x8000)) wrong.push(x)
      const mid = (x + halfBitsToFloat(h + 1)) / 2 // exact in f32: a half has 11 significant bits
      for (const y of [mid, mid * (1 - 2 ** -20), mid * (1 + 2 ** -20)].map(Math.fround))
        if (halfBitsToFloat(floatBitsToHalf(bitsOf(y))) !== referenceHalf(y)) wrong.push(y)
    }
    expect(wrong).toStrictEqual([])
  })

  it("keeps ±∞ and NaN", () => {
    expect(halfBitsToFloat(floatBitsToHalf(bitsOf(Number.POSITIVE_INFINITY)))).toBe(Number.POSITIVE_INFINITY)
    expect(halfBitsToFloat(floatBitsToHalf(bitsOf(Number.NEGATIVE_INFINITY)))).toBe(Number.NEGATIVE_INFINITY)
    expect(halfBitsToFloat(floatBitsToHalf(bitsOf(Number.NaN)))).toBeNaN()
    expect(halfBitsToFloat(floatBitsToHalf(0x7f800001))).toBeNaN() // a NaN whose payload is in the low bits
  })

  it.prop(
    "any float rounds to the nearest half, ties to even",
    [fc.float()],
    ([x]) => {
      const got = halfBitsToFloat(floatBitsToHalf(bitsOf(x)))
      const want = referenceHalf(x)
      expect(Number.isNaN(want) ? Number.isNaN(got) : Object.is(got, want)).toBe(true)
    },
    props(20261126)
  )
})

/** Random named tensors: 0 to 4 dimensions of 0 to 4 (0-d scalars and zero-size dims included). */
const tensorMaps = fc
  .uniqueArray(
    fc.tuple(
      fc.string({ unit: "grapheme", maxLength: 12 }).filter((s) => s !== "__metadata__"),
      fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 })
    ),
    { selector: ([name]) => name, maxLength: 6 }
  )
  .chain((entries) =>
    fc.tuple(
      ...entries.map(([name, shape]) =>
        fc
          .array(fc.float(), {
            minLength: shape.reduce((a, d) => a * d, 1),
            maxLength: shape.reduce((a, d) => a * d, 1)
          })
          .map((xs): [string, FloatTensor] => [name, { shape, data: Float32Array.from(xs) }])
      )
    )
  )
  .map((entries) => new Map(entries))
const metadataArb = fc.dictionary(
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  {
    maxKeys: 3
  }
)

describe("write ∘ read", () => {
  it.prop(
    "F32 is the identity, bit for bit (NaN, ±0, ±∞ included)",
    [tensorMaps, metadataArb],
    ([tensors, metadata]) => {
      const decoded = ok(
        decodeSafetensors(ok(encodeSafetensors(tensors, metadata, "F32")), "prop.safetensors")
      )
      expect(decoded.metadata).toStrictEqual({ ...metadata })
      expect(new Set(decoded.tensors.keys())).toStrictEqual(new Set(tensors.keys()))
      for (const [name, { shape, data }] of tensors) {
        const got = decoded.tensors.get(name)!
        expect(got.dtype).toBe("F32")
        expect(got.shape).toStrictEqual(shape)
        expect(new Uint32Array((got.data as Float32Array).buffer)).toStrictEqual(
          new Uint32Array(data.slice().buffer)
        )
      }
    },
    props(1)
  )

  it.prop(
    "F16 keeps each value to half precision (nearest half, ties to even)",
    [tensorMaps],
    ([tensors]) => {
      const decoded = ok(decodeSafetensors(ok(encodeSafetensors(tensors, {}, "F16")), "prop16.safetensors"))
      for (const [name, { shape, data }] of tensors) {
        const got = decoded.tensors.get(name)!
        expect(got.dtype).toBe("F16")
        expect(got.shape).toStrictEqual(shape)
        data.forEach((x, i) => {
          const want = referenceHalf(x)
          const y = got.data[i] as number
          expect(Number.isNaN(want) ? Number.isNaN(y) : Object.is(y, want)).toBe(true)
        })
      }
    },
    props(2)
  )

  it("refuses what it cannot write faithfully", () => {
    const bad = (name: string, t: FloatTensor, metadata: Record<string, string> = {}) =>
      Either.getLeft(encodeSafetensors(new Map([[name, t]]), metadata, "F32")).pipe(
        (o) => o._tag === "Some" && o.value
      )
    expect(bad("x", { shape: [2, 2], data: f32(1, 2, 3) })).toStrictEqual(
      new SafetensorsEncodeError({ tensor: "x", reason: "shape [2, 2] holds 4 values, data has 3" })
    )
    expect(bad("x", { shape: [-1], data: f32(1) })).toBeInstanceOf(SafetensorsEncodeError)
    expect(bad("x", { shape: [1.5], data: f32(1) })).toBeInstanceOf(SafetensorsEncodeError)
    expect(bad("__metadata__", { shape: [], data: f32(1) })).toBeInstanceOf(SafetensorsEncodeError)
    expect(bad("\ud800", { shape: [], data: f32(1) })).toBeInstanceOf(SafetensorsEncodeError)
    expect(bad("x", { shape: [], data: f32(1) }, { k: "\udc00" })).toBeInstanceOf(SafetensorsEncodeError)
  })
})

describe("hostile files: each fails with a tagged error naming the file (and the tensor)", () => {
  const F = "hostile.safetensors"
  const decode = (bytes: Uint8Array) => decodeSafetensors(bytes, F)
  const failure = (bytes: Uint8Array) => {
    const result = decode(bytes)
    if (Either.isRight(result)) throw new Error("expected a failure")
    expect(result.left.message).toContain(F)
    return result.left
  }
  const four = new Uint8Array(4)

  it("a file shorter than the length prefix", () => {
    expect(decode(new Uint8Array(5))).toStrictEqual(
      Either.left(
        new SafetensorsHeaderLengthError({
          file: F,
          fileSize: 5,
          headerLength: undefined,
          reason: "5 bytes: too short for the 8-byte header length"
        })
      )
    )
  })

  it("a header length beyond the file, or past the format's limit", () => {
    const past = failure(file("{}", new Uint8Array(0), 3n))
    expect(past).toBeInstanceOf(SafetensorsHeaderLengthError)
    const beyond = failure(file("{}", new Uint8Array(0), 1000n))
    expect(beyond).toStrictEqual(
      new SafetensorsHeaderLengthError({
        file: F,
        fileSize: 10,
        headerLength: "1000",
        reason: "header length 1000 runs past the end of the 10-byte file"
      })
    )
    expect(failure(file("{}", new Uint8Array(0), 2n ** 64n - 1n))).toMatchObject({
      _tag: "SafetensorsHeaderLengthError",
      headerLength: "18446744073709551615"
    })
  })

  it("a header that is not UTF-8, not JSON, or not an object", () => {
    const badUtf8 = file("{}")
    badUtf8[9] = 0xff
    expect(failure(badUtf8)._tag).toBe("SafetensorsHeaderSyntaxError")
    expect(failure(file('{"a": '))._tag).toBe("SafetensorsHeaderSyntaxError")
    expect(failure(file("[1, 2]"))._tag).toBe("SafetensorsHeaderSyntaxError")
    expect(failure(file("null"))._tag).toBe("SafetensorsHeaderSyntaxError")
    expect(failure(file(" {}"))._tag).toBe("SafetensorsHeaderSyntaxError")
    expect(failure(file("{}\u0000\u0000"))._tag).toBe("SafetensorsHeaderSyntaxError")
  })

  it("overlapping, holed, backwards and out-of-range offsets", () => {
    const eight = new Uint8Array(8)
    expect(
      failure(file(`{"a":${entry("F32", [1], 0, 4)},"b":${entry("F32", [1], 2, 6)}}`, eight))
    ).toStrictEqual(
      new SafetensorsOffsetError({
        file: F,
        tensor: "b",
        begin: 2,
        end: 6,
        reason: "overlap the previous tensor, which ends at 4"
      })
    )
    expect(failure(file(`{"a":${entry("F32", [1], 4, 8)}}`, eight))).toMatchObject({
      _tag: "SafetensorsOffsetError",
      tensor: "a",
      reason: "leave a hole: the previous tensor ends at 0"
    })
    expect(failure(file(`{"a":${entry("U8", [0], 4, 0)}}`, four))).toMatchObject({
      _tag: "SafetensorsOffsetError",
      reason: "run backwards"
    })
    expect(failure(file(`{"a":${entry("F32", [2], 0, 8)}}`, four))).toMatchObject({
      _tag: "SafetensorsOffsetError",
      tensor: "a",
      reason: "run past the 4-byte data buffer"
    })
  })

  it("a shape × dtype size that differs from the byte range, overflow included", () => {
    expect(failure(file(`{"w":${entry("F32", [2, 2], 0, 4)}}`, four))).toStrictEqual(
      new SafetensorsSizeMismatch({
        file: F,
        tensor: "w",
        dtype: "F32",
        shape: [2, 2],
        byteLength: 4,
        expectedByteLength: 16
      })
    )
    const huge = failure(file(`{"w":${entry("F32", [2 ** 40, 2 ** 40, 2 ** 40], 0, 4)}}`, four))
    expect(huge).toMatchObject({ _tag: "SafetensorsSizeMismatch", tensor: "w" })
  })

  it("an unknown or unreadable dtype", () => {
    expect(failure(file(`{"q":${entry("Q4_K", [4], 0, 4)}}`, four))).toStrictEqual(
      new SafetensorsUnknownDtype({ file: F, tensor: "q", dtype: "Q4_K" })
    )
    expect(failure(file(`{"q":${entry("F8_E4M3", [4], 0, 4)}}`, four))).toBeInstanceOf(
      SafetensorsUnknownDtype
    )
  })

  it("duplicate names, which JSON.parse would silently collapse", () => {
    expect(
      failure(file(`{"a":${entry("U8", [4], 0, 4)},"a":${entry("U8", [4], 0, 4)}}`, four))
    ).toStrictEqual(new SafetensorsDuplicateName({ file: F, tensor: "a", within: "" }))
    // also through an escape: "\u0061" is "a"
    expect(
      failure(file(`{"a":${entry("U8", [4], 0, 4)},"\\u0061":${entry("U8", [4], 0, 4)}}`, four))
    ).toBeInstanceOf(SafetensorsDuplicateName)
    expect(
      failure(file(`{"a":{"dtype":"U8","dtype":"U8","shape":[4],"data_offsets":[0,4]}}`, four))
    ).toStrictEqual(new SafetensorsDuplicateName({ file: F, tensor: "dtype", within: "a" }))
  })

  it("negative, fractional or non-numeric shapes, and malformed entries", () => {
    // the last one is nested too deep for JSON.stringify: the message must not be built with it
    for (const shape of [
      "[-1]",
      "[1.5]",
      '["2"]',
      "4",
      "[1e300]",
      `${"[".repeat(100_000)}${"]".repeat(100_000)}`
    ])
      expect(failure(file(`{"s":{"dtype":"U8","shape":${shape},"data_offsets":[0,4]}}`, four))).toMatchObject(
        { _tag: "SafetensorsEntryError", tensor: "s" }
      )
    expect(failure(file(`{"s":{"dtype":"U8","shape":[4]}}`, four))).toBeInstanceOf(SafetensorsEntryError)
    expect(failure(file(`{"s":{"dtype":"U8","shape":[4],"data_offsets":[0,4],"x":1}}`, four))).toBeInstanceOf(
      SafetensorsEntryError
    )
    expect(failure(file(`{"s":{"dtype":"U8","shape":[4],"data_offsets":[0,4,8]}}`, four))).toBeInstanceOf(
      SafetensorsEntryError
    )
    expect(failure(file(`{"s":[1]}`, four))).toBeInstanceOf(SafetensorsEntryError)
    expect(failure(file(`{"__metadata__":{"a":1}}`))).toMatchObject({
      _tag: "SafetensorsEntryError",
      tensor: "__metadata__"
    })
  })

  it("trailing bytes after the last tensor", () => {
    expect(failure(file(`{"a":${entry("U8", [2], 0, 2)}}`, four))).toStrictEqual(
      new SafetensorsTrailingBytes({ file: F, dataEnd: 2, bufferLength: 4 })
    )
  })
})

describe("fuzzed files never throw: a decoded value or a tagged error naming the file", () => {
  const tags = new Set([
    "SafetensorsHeaderLengthError",
    "SafetensorsHeaderSyntaxError",
    "SafetensorsEntryError",
    "SafetensorsDuplicateName",
    "SafetensorsUnknownDtype",
    "SafetensorsOffsetError",
    "SafetensorsSizeMismatch",
    "SafetensorsTrailingBytes"
  ])
  const survives = (bytes: Uint8Array) => {
    const result = decodeSafetensors(bytes, "fuzz.safetensors") // a throw fails the property
    if (Either.isLeft(result)) {
      expect(tags.has(result.left._tag)).toBe(true)
      expect(result.left.message).toContain("fuzz.safetensors")
    }
  }
  const valid = tensorMaps.map((t) => ok(encodeSafetensors(t, { format: "pt" }, "F32")))

  it.prop("random bytes", [fc.uint8Array({ maxLength: 64 })], ([bytes]) => survives(bytes), props(3))

  it.prop(
    "random bytes behind a plausible length prefix",
    [fc.uint8Array({ maxLength: 64 }), fc.nat({ max: 80 })],
    ([bytes, n]) => {
      const out = new Uint8Array(8 + bytes.length)
      out[0] = n
      out.set(bytes, 8)
      survives(out)
    },
    props(4)
  )

  it.prop(
    "byte flips in a valid file",
    [valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })],
    ([bytes, flips]) => {
      const out = bytes.slice()
      for (const [at, value] of flips) out[at % out.length] = value
      survives(out)
    },
    props(5)
  )

  it.prop(
    "arbitrary JSON as the header",
    [fc.json(), fc.uint8Array({ maxLength: 32 })],
    ([text, data]) => survives(file(text, data)),
    props(7)
  )

  /** Headers of plausible entries with random dtypes, shapes and offsets: every validation path. */
  const plausible = fc.dictionary(
    fc.string({ maxLength: 3 }),
    fc.record({
      dtype: fc.constantFrom("F32", "F16", "BF16", "I64", "U8", "BOOL", "F8_E5M2", "f32"),
      shape: fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 3 }),
      data_offsets: fc.tuple(fc.nat(24), fc.nat(24))
    }),
    { maxKeys: 4 }
  )
  it.prop(
    "plausible headers over random data",
    [plausible, fc.uint8Array({ maxLength: 24 })],
    ([header, data]) => survives(file(JSON.stringify(header), data)),
    props(8)
  )

  /** Mutations of a valid header's JSON: any field set to any JSON value, deleted, or a key added. */
  const mutations = fc.oneof(
    fc.record({
      kind: fc.constant("set" as const),
      field: fc.constantFrom("dtype", "shape", "data_offsets"),
      value: fc.jsonValue()
    }),
    fc.record({
      kind: fc.constant("delete" as const),
      field: fc.constantFrom("dtype", "shape", "data_offsets")
    }),
    fc.record({ kind: fc.constant("top" as const), key: fc.string(), value: fc.jsonValue() })
  )
  it.prop(
    "JSON mutations of a valid header",
    [
      valid,
      fc.array(fc.tuple(mutations, fc.nat()), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: -8, max: 8 })
    ],
    ([bytes, changes, lengthDelta]) => {
      const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true))
      const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<
        string,
        Record<string, unknown>
      >
      for (const [change, pick] of changes) {
        const names = Object.keys(header).filter((k) => k !== "__metadata__")
        if (change.kind === "top") header[change.key] = change.value as Record<string, unknown>
        else if (names.length > 0) {
          const target = header[names[pick % names.length]!]
          if (typeof target !== "object" || target === null) continue
          if (change.kind === "set") target[change.field] = change.value
          else delete target[change.field]
        }
      }
      const data = bytes.subarray(8 + n)
      const text = JSON.stringify(header)
      survives(file(text, data, BigInt(Math.max(0, new TextEncoder().encode(text).length + lengthDelta))))
    },
    props(6)
  )
})

layer(NodeContext.layer)("files", (it) => {
  it.scoped("write then read through the file system, atomically (no temp file left)", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = join(dir, "model.safetensors")
      const tensors = new Map([["w", { shape: [2], data: f32(1, 2) }]])
      yield* writeSafetensors(path, tensors, { format: "pt" }, "F32")
      yield* writeSafetensors(path, tensors, { format: "pt", again: "yes" }, "F32") // replaces
      const read = yield* readSafetensors(path)
      expect(read.metadata).toStrictEqual({ again: "yes", format: "pt" })
      expect(read.tensors.get("w")).toStrictEqual({ dtype: "F32", shape: [2], data: f32(1, 2) })
      expect(yield* fs.readDirectory(dir)).toStrictEqual(["model.safetensors"])
    })
  )

  it.scoped("a failed write leaves nothing behind and reports the path", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      // the target is a directory: the temp file is written, the rename over a directory fails
      yield* fs.makeDirectory(join(dir, "taken"))
      const exit = yield* Effect.exit(writeSafetensors(join(dir, "taken"), new Map(), {}, "F32"))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(yield* fs.readDirectory(dir)).toStrictEqual(["taken"])
      const missing = yield* Effect.flip(readSafetensors(join(dir, "absent.safetensors")))
      expect(missing.message).toContain("absent.safetensors")
    })
  )
})
