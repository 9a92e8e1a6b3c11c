/**
 * Strict UTF-8 for every text file concner reads: Node's `readFileString` replaces an invalid byte
 * with U+FFFD and carries on, so a corrupt data file would train on garbage with exit 0. Here an
 * invalid sequence is an error at its line and column.
 */
import { buffer } from "node:stream/consumers"
import { FileSystem } from "@effect/platform"
import { Effect, Either } from "effect"
import { DataReadError, Utf8Error } from "./errors.js"

/** Where the first invalid UTF-8 sequence of `bytes` starts: 1-based line, 1-based byte column. */
export const firstInvalidUtf8 = (
  bytes: Uint8Array
): { readonly line: number; readonly column: number; readonly byte: number } | undefined => {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
  let line = 1
  let start = 0
  for (let i = 0; i <= bytes.length; i++) {
    if (i !== bytes.length && bytes[i] !== 0x0a) continue
    const chunk = bytes.subarray(start, i)
    try {
      decoder.decode(chunk)
    } catch {
      // the longest valid prefix of the line: the first byte after it is the bad one
      let good = 0
      let bad = chunk.length
      while (good < bad) {
        const mid = Math.ceil((good + bad) / 2)
        if (isValid(chunk.subarray(0, mid))) good = mid
        else bad = mid - 1
      }
      return { line, column: sequenceStart(chunk, good) + 1, byte: chunk[sequenceStart(chunk, good)]! }
    }
    line++
    start = i + 1
  }
  return undefined
}

/**
 * The prefix of length `good` is valid as far as it goes, but may end inside a character (a lead byte
 * and some continuation bytes): then that character's lead byte is where the bad sequence starts.
 */
const sequenceStart = (chunk: Uint8Array, good: number): number => {
  let lead = good - 1
  while (lead >= 0 && good - lead < 4 && (chunk[lead]! & 0xc0) === 0x80) lead--
  if (lead < 0 || chunk[lead]! < 0xc0) return good
  const length = chunk[lead]! >= 0xf0 ? 4 : chunk[lead]! >= 0xe0 ? 3 : 2
  return lead + length > good ? lead : good
}

const isValid = (bytes: Uint8Array): boolean => {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: true })
    return true
  } catch {
    return false
  }
}

/** `bytes` as UTF-8 text (a leading BOM kept, as `readFileString` keeps it), or where it is not UTF-8. */
export const decodeUtf8 = (bytes: Uint8Array, file: string): Either.Either<string, Utf8Error> => {
  try {
    return Either.right(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes))
  } catch {
    const at = firstInvalidUtf8(bytes) ?? { line: 1, column: 1, byte: bytes[0] ?? 0 }
    return Either.left(new Utf8Error({ file, ...at }))
  }
}

/** Reads a text file strictly: unreadable → `DataReadError`, not UTF-8 → `Utf8Error` at its line. */
export const readTextFile = (file: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    fs.readFile(file).pipe(
      Effect.mapError(
        (e) =>
          new DataReadError({
            file,
            reason: e._tag === "SystemError" && e.reason === "NotFound" ? "no such file" : e.message
          })
      ),
      Effect.flatMap((bytes) => decodeUtf8(bytes, file))
    )
  )

/** `readTextFile`, where `-` reads standard input (named `<stdin>` in errors). */
export const readTextInput = (file: string) =>
  file === "-"
    ? Effect.tryPromise({
        try: () => buffer(process.stdin),
        catch: (error) => new DataReadError({ file: "<stdin>", reason: String(error) })
      }).pipe(Effect.flatMap((bytes) => decodeUtf8(bytes, "<stdin>")))
    : readTextFile(file)
