/**
 * safetensors (huggingface/safetensors `format` and `safetensors/src/tensor.rs`): an 8-byte little-endian
 * u64 header length N, N bytes of UTF-8 JSON `{name: {dtype, shape, data_offsets: [begin, end]},
 * "__metadata__": {string: string}}` (space-padded), then the data buffer the offsets index into.
 *
 * Hand-written because no npm package is a dependency here and the format is small; the reader applies
 * the reference's validation (offsets contiguous from 0 in offset order, each range exactly
 * `product(shape) × sizeof(dtype)`, the last ending at the end of the file) and adds what `serde` does
 * implicitly (duplicate keys, field types), so a hostile file gives a tagged error, never a crash or a
 * silently misread tensor. The writer lays files out byte for byte as the reference does.
 */
import { FileSystem } from "@effect/platform"
import { Effect, Either } from "effect"
import { writeFileAtomic } from "../records/atomic.js"
import {
  type SafetensorsDecodeError,
  SafetensorsDuplicateName,
  SafetensorsEncodeError,
  SafetensorsEntryError,
  SafetensorsHeaderLengthError,
  SafetensorsHeaderSyntaxError,
  SafetensorsOffsetError,
  SafetensorsSizeMismatch,
  SafetensorsTrailingBytes,
  SafetensorsUnknownDtype
} from "./errors.js"
import { floatBitsToHalf, halfTableF32 } from "./half.js"

/** Bytes per element of the dtypes concner reads (F8 and newer sub-byte types are refused). */
const DTYPE_SIZE = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8
} as const

export type Dtype = keyof typeof DTYPE_SIZE
/** The dtypes the writer produces. */
export type FloatDtype = "F32" | "F16"

const isDtype = (s: string): s is Dtype => Object.hasOwn(DTYPE_SIZE, s)

/** Element arrays per dtype: the three float dtypes widen to `Float32Array`. */
export interface DtypeData {
  readonly BOOL: Uint8Array
  readonly U8: Uint8Array
  readonly I8: Int8Array
  readonly I16: Int16Array
  readonly U16: Uint16Array
  readonly F16: Float32Array
  readonly BF16: Float32Array
  readonly I32: Int32Array
  readonly U32: Uint32Array
  readonly F32: Float32Array
  readonly F64: Float64Array
  readonly I64: BigInt64Array
  readonly U64: BigUint64Array
}

/** A decoded tensor; `dtype` is the one stored in the file (`data` of F16/BF16 is widened to f32). */
export type SafeTensor = {
  readonly [D in Dtype]: {
    readonly dtype: D
    readonly shape: ReadonlyArray<number>
    readonly data: DtypeData[D]
  }
}[Dtype]

export interface Safetensors {
  /** In file (offset) order. */
  readonly tensors: ReadonlyMap<string, SafeTensor>
  readonly metadata: Readonly<Record<string, string>>
}

/** What the writer takes: f32 values in row-major order. */
export interface FloatTensor {
  readonly shape: ReadonlyArray<number>
  readonly data: Float32Array
}

/** Headers past this are refused, as the reference does (it guards against huge allocations). */
const MAX_HEADER_SIZE = 100_000_000
const METADATA_KEY = "__metadata__"
const ENTRY_FIELDS = ["dtype", "shape", "data_offsets"] as const
const hostLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

// ── reading ─────────────────────────────────────────────────────────────────────────────────────

/** A copy of `bytes[begin, end)` in host byte order, in a fresh (aligned) buffer. */
const hostOrderCopy = (bytes: Uint8Array, begin: number, end: number, size: number): ArrayBuffer => {
  // not `bytes.slice`: a Node Buffer's slice is a view into a shared pool, not a copy
  const copy = new Uint8Array(end - begin)
  copy.set(bytes.subarray(begin, end))
  if (!hostLittleEndian && size > 1)
    for (let i = 0; i < copy.length; i += size) copy.subarray(i, i + size).reverse()
  return copy.buffer
}

const elements = (dtype: Dtype, bytes: Uint8Array, begin: number, end: number): SafeTensor["data"] => {
  const buffer = hostOrderCopy(bytes, begin, end, DTYPE_SIZE[dtype])
  switch (dtype) {
    case "BOOL":
    case "U8":
      return new Uint8Array(buffer)
    case "I8":
      return new Int8Array(buffer)
    case "I16":
      return new Int16Array(buffer)
    case "U16":
      return new Uint16Array(buffer)
    case "I32":
      return new Int32Array(buffer)
    case "U32":
      return new Uint32Array(buffer)
    case "F32":
      return new Float32Array(buffer)
    case "F64":
      return new Float64Array(buffer)
    case "I64":
      return new BigInt64Array(buffer)
    case "U64":
      return new BigUint64Array(buffer)
    case "F16": {
      const table = halfTableF32()
      const half = new Uint16Array(buffer)
      const out = new Float32Array(half.length)
      for (let i = 0; i < half.length; i++) out[i] = table[half[i]!]!
      return out
    }
    case "BF16": {
      // bf16 is the top half of an f32
      const half = new Uint16Array(buffer)
      const out = new Uint32Array(half.length)
      for (let i = 0; i < half.length; i++) out[i] = half[i]! << 16
      return new Float32Array(out.buffer)
    }
  }
}

/**
 * The first key repeated within one object of `json` (already known to be valid JSON), with the key of
 * the entry holding it: `JSON.parse` would silently keep the last value.
 */
const duplicateKey = (json: string): { key: string; within: string } | undefined => {
  // one frame per open container: the keys seen (objects) or undefined (arrays), and its own key
  const stack: Array<{ keys: Set<string> | undefined; name: string }> = []
  let lastString: string | undefined
  for (let i = 0; i < json.length; i++) {
    const c = json[i]
    if (c === '"') {
      const start = i
      for (i++; json[i] !== '"'; i++) if (json[i] === "\\") i++
      lastString = JSON.parse(json.slice(start, i + 1)) as string
    } else if (c === ":") {
      const frame = stack[stack.length - 1]!
      const key = lastString!
      if (frame.keys!.has(key)) return { key, within: stack.length === 1 ? "" : frame.name }
      frame.keys!.add(key)
    } else if (c === "{" || c === "[") {
      // a container's name is the key it is the value of (meaningful for depth 2, the tensor entries)
      stack.push({ keys: c === "{" ? new Set() : undefined, name: lastString ?? "" })
    } else if (c === "}" || c === "]") stack.pop()
  }
  return undefined
}

/** A short rendering of a header value for messages (a hostile value may be huge or deeply nested). */
const preview = (v: unknown): string => {
  if (v === undefined) return "nothing" // a missing field (JSON.stringify gives undefined)
  let text: string
  try {
    text = JSON.stringify(v)
  } catch {
    text = "(a value too deeply nested to print)"
  }
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v)

const isIndex = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0
/** Not a type guard, so a failing check does not narrow a `number[]` to `never[]`. */
const isSize = (v: number): boolean => isIndex(v)

interface Entry {
  readonly name: string
  readonly dtype: Dtype
  readonly shape: ReadonlyArray<number>
  readonly begin: number
  readonly end: number
}

const parseEntry = (
  file: string,
  name: string,
  value: unknown
): Either.Either<Entry, SafetensorsDecodeError> => {
  const fail = (reason: string) => Either.left(new SafetensorsEntryError({ file, tensor: name, reason }))
  if (!isRecord(value)) return fail(`expected an object {dtype, shape, data_offsets}, got ${preview(value)}`)
  const extra = Object.keys(value).filter((k) => !ENTRY_FIELDS.some((f) => f === k))
  if (extra.length > 0) return fail(`unknown field(s) ${extra.join(", ")}`)
  const { dtype, shape, data_offsets: offsets } = value
  if (typeof dtype !== "string") return fail(`dtype must be a string, got ${preview(dtype)}`)
  if (!Array.isArray(shape) || !shape.every(isIndex))
    return fail(`shape must be an array of non-negative integers, got ${preview(shape)}`)
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex))
    return fail(`data_offsets must be [begin, end] of non-negative integers, got ${preview(offsets)}`)
  if (!isDtype(dtype)) return Either.left(new SafetensorsUnknownDtype({ file, tensor: name, dtype }))
  return Either.right({ name, dtype, shape, begin: offsets[0]!, end: offsets[1]! })
}

const parseMetadata = (
  file: string,
  value: unknown
): Either.Either<Record<string, string>, SafetensorsEntryError> =>
  isRecord(value) && Object.values(value).every((v) => typeof v === "string")
    ? Either.right(value as Record<string, string>)
    : Either.left(
        new SafetensorsEntryError({
          file,
          tensor: METADATA_KEY,
          reason: `must map strings to strings, got ${preview(value)}`
        })
      )

/** Parses and validates the header; returns the entries in offset order and the data buffer's start. */
const readHeader = (
  bytes: Uint8Array,
  file: string
): Either.Either<
  { entries: Array<Entry>; metadata: Record<string, string>; dataStart: number },
  SafetensorsDecodeError
> => {
  const lengthError = (headerLength: string | undefined, reason: string) =>
    Either.left(new SafetensorsHeaderLengthError({ file, fileSize: bytes.length, headerLength, reason }))
  const syntaxError = (reason: string) => Either.left(new SafetensorsHeaderSyntaxError({ file, reason }))
  if (bytes.length < 8)
    return lengthError(undefined, `${bytes.length} bytes: too short for the 8-byte header length`)
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true)
  if (n > BigInt(MAX_HEADER_SIZE))
    return lengthError(String(n), `header length ${n} exceeds the format's limit of ${MAX_HEADER_SIZE} bytes`)
  const dataStart = 8 + Number(n)
  if (dataStart > bytes.length)
    return lengthError(String(n), `header length ${n} runs past the end of the ${bytes.length}-byte file`)
  let text: string
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, dataStart))
  } catch {
    return syntaxError("is not valid UTF-8")
  }
  // the reference (≥ 0.4) requires the first byte to be "{"; padding may only follow
  if (!text.startsWith("{")) return syntaxError(`must start with "{", got ${preview(text.slice(0, 20))}`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return syntaxError(`is not JSON: ${e instanceof Error ? e.message : String(e)}`)
  }
  if (!isRecord(json)) return syntaxError("is not a JSON object")
  const duplicate = duplicateKey(text)
  if (duplicate !== undefined)
    return Either.left(
      new SafetensorsDuplicateName({ file, tensor: duplicate.key, within: duplicate.within })
    )
  let metadata: Record<string, string> = {}
  const entries: Array<Entry> = []
  for (const [name, value] of Object.entries(json)) {
    if (name === METADATA_KEY) {
      const parsed = parseMetadata(file, value)
      if (Either.isLeft(parsed)) return Either.left(parsed.left)
      metadata = parsed.right
      continue
    }
    const entry = parseEntry(file, name, value)
    if (Either.isLeft(entry)) return Either.left(entry.left)
    entries.push(entry.right)
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end)
  return Either.right({ entries, metadata, dataStart })
}

/**
 * Decodes a whole safetensors file held in memory; `file` names it in errors. Tensors come back in
 * offset order as fresh arrays (never views of `bytes`).
 */
export const decodeSafetensors = (
  bytes: Uint8Array,
  file: string
): Either.Either<Safetensors, SafetensorsDecodeError> =>
  Either.flatMap(
    readHeader(bytes, file),
    ({ entries, metadata, dataStart }): Either.Either<Safetensors, SafetensorsDecodeError> => {
      const bufferLength = bytes.length - dataStart
      const tensors = new Map<string, SafeTensor>()
      let next = 0
      for (const { name, dtype, shape, begin, end } of entries) {
        const offsetError = (reason: string) =>
          Either.left(new SafetensorsOffsetError({ file, tensor: name, begin, end, reason }))
        if (end < begin) return offsetError("run backwards")
        if (begin < next) return offsetError(`overlap the previous tensor, which ends at ${next}`)
        if (begin > next) return offsetError(`leave a hole: the previous tensor ends at ${next}`)
        if (end > bufferLength) return offsetError(`run past the ${bufferLength}-byte data buffer`)
        // end − begin ≤ the file size, so a product beyond it (or beyond 2^53) is a mismatch either way
        const expected = shape.reduce((acc, d) => acc * d, DTYPE_SIZE[dtype])
        if (expected !== end - begin)
          return Either.left(
            new SafetensorsSizeMismatch({
              file,
              tensor: name,
              dtype,
              shape,
              byteLength: end - begin,
              expectedByteLength: expected
            })
          )
        tensors.set(name, {
          dtype,
          shape,
          data: elements(dtype, bytes, dataStart + begin, dataStart + end)
        } as SafeTensor)
        next = end
      }
      if (next !== bufferLength)
        return Either.left(new SafetensorsTrailingBytes({ file, dataEnd: next, bufferLength }))
      return Either.right({ tensors, metadata })
    }
  )

// ── writing ─────────────────────────────────────────────────────────────────────────────────────

const utf8 = new TextEncoder()

/** JSON text already written, embedded as is by `jsonObject`. */
class RawJson {
  constructor(readonly text: string) {}
}

/**
 * A JSON object with keys in the given order. `JSON.stringify` of a JS object would move integer-like
 * keys ("10", "9") first and treat "__proto__" specially; the reference keeps its sorted order.
 */
const jsonObject = (entries: ReadonlyArray<readonly [string, unknown]>): RawJson =>
  new RawJson(
    `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v instanceof RawJson ? v.text : JSON.stringify(v)}`).join(",")}}`
  )

/** False for a string with an unpaired surrogate (`TextEncoder` would silently replace it). */
const wellFormed = (s: string): boolean => !/\p{Cs}/u.test(s)

/** Rust's `str` order (UTF-8 bytes), which differs from JS's UTF-16 order past U+FFFF. */
const byteOrder = (a: string, b: string): number => Buffer.compare(utf8.encode(a), utf8.encode(b))

const encodeData = (data: Float32Array, dtype: FloatDtype): Uint8Array => {
  if (dtype === "F32") {
    // little-endian host: the bytes as they are (a view, copied once into the file buffer)
    if (hostLittleEndian) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    const out = new Uint8Array(new Float32Array(data).buffer)
    for (let i = 0; i < out.length; i += 4) out.subarray(i, i + 4).reverse()
    return out
  }
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length)
  const out = new Uint8Array(data.length * 2)
  for (let i = 0; i < bits.length; i++) {
    const h = floatBitsToHalf(bits[i]!)
    out[2 * i] = h & 0xff
    out[2 * i + 1] = h >>> 8
  }
  return out
}

/**
 * Encodes tensors as the reference writer lays them out: entries sorted by name (UTF-8 byte order), data
 * in that order, `__metadata__` first with sorted keys, the header padded with spaces to a multiple of 8.
 * F16 rounds to nearest even. Fails on a shape that does not match the data, or the reserved name.
 */
export const encodeSafetensors = (
  tensors: ReadonlyMap<string, FloatTensor>,
  metadata: Readonly<Record<string, string>>,
  dtype: FloatDtype
): Either.Either<Uint8Array, SafetensorsEncodeError> => {
  const names = [...tensors.keys()].sort(byteOrder)
  const header: Array<readonly [string, unknown]> = []
  const metaKeys = Object.keys(metadata).sort(byteOrder)
  const badMeta = metaKeys.find((k) => !wellFormed(k) || !wellFormed(metadata[k]!))
  if (badMeta !== undefined)
    return Either.left(
      new SafetensorsEncodeError({
        tensor: METADATA_KEY,
        reason: `entry ${JSON.stringify(badMeta)} is not valid Unicode`
      })
    )
  if (metaKeys.length > 0) header.push([METADATA_KEY, jsonObject(metaKeys.map((k) => [k, metadata[k]]))])
  const chunks: Array<Uint8Array> = []
  let offset = 0
  for (const name of names) {
    const fail = (reason: string) => Either.left(new SafetensorsEncodeError({ tensor: name, reason }))
    if (name === METADATA_KEY) return fail(`the name ${METADATA_KEY} is reserved for the metadata`)
    if (!wellFormed(name)) return fail("the name has an unpaired surrogate, which UTF-8 cannot hold")
    const { shape, data } = tensors.get(name)!
    if (!shape.every(isSize))
      return fail(`shape [${shape.join(", ")}] is not a list of non-negative integers`)
    const size = shape.reduce((a, d) => a * d, 1)
    if (size !== data.length)
      return fail(`shape [${shape.join(", ")}] holds ${size} values, data has ${data.length}`)
    const bytes = encodeData(data, dtype)
    header.push([
      name,
      jsonObject([
        ["dtype", dtype],
        ["shape", shape],
        ["data_offsets", [offset, offset + bytes.length]]
      ])
    ])
    chunks.push(bytes)
    offset += bytes.length
  }
  const json = utf8.encode(jsonObject(header).text)
  const headerLength = Math.ceil(json.length / 8) * 8
  const out = new Uint8Array(8 + headerLength + offset)
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true)
  out.set(json, 8)
  out.fill(0x20, 8 + json.length, 8 + headerLength)
  let at = 8 + headerLength
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.length
  }
  return Either.right(out)
}

// ── files ───────────────────────────────────────────────────────────────────────────────────────

/** Reads and decodes a safetensors file. */
export const readSafetensors = Effect.fn("Safetensors.read")(function* (file: string) {
  const fs = yield* FileSystem.FileSystem
  return yield* decodeSafetensors(yield* fs.readFile(file), file)
})

/** Encodes tensors and writes them atomically (a temp file in the same folder, then a rename). */
export const writeSafetensors = Effect.fn("Safetensors.write")(function* (
  file: string,
  tensors: ReadonlyMap<string, FloatTensor>,
  metadata: Readonly<Record<string, string>>,
  dtype: FloatDtype
) {
  yield* writeFileAtomic(file, yield* encodeSafetensors(tensors, metadata, dtype))
})
