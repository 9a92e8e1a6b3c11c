/**
 * SentencePiece's `ModelProto` (sentencepiece_model.proto), read just far enough to know the pieces:
 * `pieces` (field 1: piece string, score float, type enum) and the trainer's `model_type` (field 2 →
 * 3). Everything else (normalizer spec with its precompiled charsmap, trainer settings) is left to the
 * SentencePiece library, which reads the same bytes. A hand-written reader because the library's JS
 * build exposes neither the piece list nor a load status: a truncated or foreign file must fail here
 * with a clear message instead of loading as an empty model.
 */
import { Either } from "effect"
import { InvalidSentencePieceModel } from "./errors.js"

/** `SentencePiece.Type`. */
export const PieceType = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const

export interface SentencePiece {
  readonly piece: string
  readonly score: number
  readonly type: number
}

export interface SentencePieceModel {
  readonly pieces: ReadonlyArray<SentencePiece>
  /** `TrainerSpec.ModelType`: 1 unigram (default), 2 BPE, 3 word, 4 char */
  readonly modelType: number
}

class ProtoError extends Error {}

/** A protobuf wire-format reader over `bytes[start, end)`. */
class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number
  ) {}

  get done(): boolean {
    return this.pos >= this.end
  }

  varint(): number {
    let result = 0
    let scale = 1
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtoError("a varint runs past the end")
      const b = this.bytes[this.pos++]!
      result += (b & 0x7f) * scale
      if (b < 0x80) return result
      scale *= 128
    }
    throw new ProtoError("a varint longer than 10 bytes")
  }

  /** A length-delimited field's bounds. */
  sub(): Reader {
    const length = this.varint()
    if (this.pos + length > this.end) throw new ProtoError("a field's length runs past the end")
    const reader = new Reader(this.bytes, this.pos, this.pos + length)
    this.pos += length
    return reader
  }

  float32(): number {
    if (this.pos + 4 > this.end) throw new ProtoError("a float runs past the end")
    const value = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 4).getFloat32(0, true)
    this.pos += 4
    return value
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint()
    else if (wireType === 1) this.pos += 8
    else if (wireType === 2) this.sub()
    else if (wireType === 5) this.pos += 4
    else throw new ProtoError(`wire type ${wireType} is not valid here`)
    if (this.pos > this.end) throw new ProtoError("a field runs past the end")
  }

  text(): string {
    const r = this.sub()
    return new TextDecoder("utf-8", { fatal: true }).decode(this.bytes.subarray(r.pos, r.end))
  }
}

const readPiece = (r: Reader): SentencePiece => {
  let piece: string | undefined
  let score = 0
  let type: number = PieceType.normal
  while (!r.done) {
    const key = r.varint()
    const field = Math.floor(key / 8)
    const wire = key & 7
    if (field === 1 && wire === 2) piece = r.text()
    else if (field === 2 && wire === 5) score = r.float32()
    else if (field === 3 && wire === 0) type = r.varint()
    else r.skip(wire)
  }
  if (piece === undefined) throw new ProtoError("a piece has no text")
  return { piece, score, type }
}

const readModelType = (r: Reader): number => {
  let modelType = 1
  while (!r.done) {
    const key = r.varint()
    if (key === 3 * 8) modelType = r.varint()
    else r.skip(key & 7)
  }
  return modelType
}

/** Decodes a `sentencepiece.bpe.model`'s bytes; `file` names it in errors. */
export const decodeSentencePieceModel = (
  bytes: Uint8Array,
  file: string
): Either.Either<SentencePieceModel, InvalidSentencePieceModel> => {
  const fail = (reason: string) => Either.left(new InvalidSentencePieceModel({ file, reason }))
  const pieces: Array<SentencePiece> = []
  let modelType = 1
  try {
    const r = new Reader(bytes, 0, bytes.length)
    while (!r.done) {
      const key = r.varint()
      const field = Math.floor(key / 8)
      const wire = key & 7
      if (field === 1 && wire === 2) pieces.push(readPiece(r.sub()))
      else if (field === 2 && wire === 2) modelType = readModelType(r.sub())
      else if (field >= 1 && field <= 5 && wire !== 2)
        throw new ProtoError(`field ${field} has wire type ${wire}, not a message`)
      else r.skip(wire)
    }
  } catch (e) {
    if (e instanceof ProtoError) return fail(`broken protobuf (${e.message}); is the file truncated?`)
    if (e instanceof TypeError) return fail("a piece is not valid UTF-8")
    throw e
  }
  if (pieces.length === 0) return fail("it has no pieces (an empty or foreign file?)")
  if (modelType < 1 || modelType > 4) return fail(`unknown model type ${modelType}`)
  const unknown = pieces.filter((p) => p.type === PieceType.unknown).length
  if (unknown !== 1) return fail(`${unknown} unknown-token pieces, SentencePiece needs exactly one`)
  return Either.right({ pieces, modelType })
}
