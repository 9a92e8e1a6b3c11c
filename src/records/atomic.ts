/**
 * Durable atomic file writes: the bytes go to a temp file in the target's folder (same file system, so
 * the rename is atomic), are fsync'ed, and the temp file is renamed over the target; then the folder is
 * fsync'ed so the rename itself survives a crash. A reader sees the old file or the new one, never a
 * torn write, even after kill -9 or power loss. A failed or interrupted write removes its temp file.
 */
import { basename, dirname, join } from "node:path"
import { FileSystem } from "@effect/platform"
import { Effect } from "effect"

let written = 0

/** A temp name beside `file`: pid + counter keep concurrent writers (in and across processes) apart. */
const tempPathFor = (file: string) =>
  join(dirname(file), `.${basename(file)}.${process.pid}.${written++}.tmp`)

/** Whether a file name is one of the temp files a write left behind (after kill -9). */
export const isAtomicTemp = (name: string): boolean => /^\..+\.\d+\.\d+\.tmp$/.test(name)

export const writeFileAtomic = Effect.fn("AtomicFile.write")(function* (file: string, data: Uint8Array) {
  const fs = yield* FileSystem.FileSystem
  const temp = tempPathFor(file)
  const writeTemp = Effect.scoped(
    Effect.gen(function* () {
      const handle = yield* fs.open(temp, { flag: "w" })
      // writeAll refuses an empty buffer (WriteZero); an empty file is still a valid write
      if (data.length > 0) yield* handle.writeAll(data)
      yield* handle.sync
    })
  )
  yield* writeTemp.pipe(
    Effect.zipRight(fs.rename(temp, file)),
    Effect.onError(() => fs.remove(temp).pipe(Effect.ignore))
  )
  // Directory fsync makes the rename durable on Linux; platforms that cannot open a directory for
  // reading (Windows) refuse it, and there the rename is as durable as the OS makes it.
  yield* Effect.scoped(Effect.flatMap(fs.open(dirname(file), { flag: "r" }), (dir) => dir.sync)).pipe(
    Effect.ignore
  )
})

export const writeFileStringAtomic = (file: string, text: string) =>
  writeFileAtomic(file, new TextEncoder().encode(text))
