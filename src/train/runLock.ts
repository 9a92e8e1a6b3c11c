/**
 * The lock that makes a run folder hold one run: `run.lock`, created with O_EXCL (so exactly one of
 * two racing processes gets it) and holding the holder's pid, host and start time. It is removed
 * when the holder's scope closes — success, failure or interruption. A lock left by a process that
 * died (kill -9, a crash) is recognised on the same host by its pid no longer running, reported on
 * stderr and taken over; one from another host cannot be checked and is refused.
 */
import { hostname } from "node:os"
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Console, Effect, Either, FiberRef, Schema } from "effect"
import { type LockHolder, RunFolderLocked, RunLockUnreadable } from "./errors.js"

export const LOCK_FILE = "run.lock"

const Holder = Schema.parseJson(
  Schema.Struct({ pid: Schema.Int, host: Schema.String, started: Schema.String })
)

/**
 * Folders the current fiber holds: a run that locks its folder may call code that locks it again
 * (`train` → `runExperiment`). Per fiber, not per process: two concurrent runs in one process
 * (a grid) exclude each other like two processes do.
 */
const heldFolders = FiberRef.unsafeMake<ReadonlySet<string>>(new Set())

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists, under another user
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

const isExists = (e: unknown) =>
  typeof e === "object" && e !== null && "reason" in e && (e as { reason: string }).reason === "AlreadyExists"

/**
 * Takes `dir`'s lock for the current scope (creating `dir` if needed). Fails with `RunFolderLocked`
 * when a live process holds it; takes over, with a line on stderr, a lock whose holder has died.
 */
export const lockRunFolder = (dir: string) =>
  Effect.gen(function* () {
    const resolved = path.resolve(dir)
    const held = yield* FiberRef.get(heldFolders)
    if (held.has(resolved)) return
    const fs = yield* FileSystem.FileSystem
    const file = path.join(dir, LOCK_FILE)
    const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString() }
    const text = `${JSON.stringify(me)}\n`
    yield* fs.makeDirectory(dir, { recursive: true })
    const unreadable = (reason: string) => new RunLockUnreadable({ file, reason })
    const create = Effect.either(fs.writeFileString(file, text, { flag: "wx" }))
    // the holder writes its line just after creating the file, and removes the file when done:
    // an empty lock is read again, a vanished one created again
    for (let attempt = 0; ; attempt++) {
      const created = yield* create
      if (Either.isRight(created)) break
      if (!isExists(created.left)) return yield* unreadable(created.left.message)
      const read = yield* Effect.either(fs.readFileString(file))
      if (attempt < 40 && (Either.isLeft(read) || read.right === "")) {
        yield* Effect.sleep("25 millis")
        continue
      }
      if (Either.isLeft(read)) return yield* unreadable(read.left.message)
      const before = read.right
      const holder = yield* Schema.decodeUnknown(Holder)(before).pipe(
        Effect.mapError(() =>
          unreadable(
            `not a concner lock (${JSON.stringify(before.slice(0, 80))}); delete it if no run uses ${dir}`
          )
        )
      )
      if (holder.host !== me.host) return yield* new RunFolderLocked({ dir, holder, state: "elsewhere" })
      if (isAlive(holder.pid)) return yield* new RunFolderLocked({ dir, holder, state: "running" })
      yield* takeOver(fs, dir, file, before, text)
      yield* Console.error(
        `${dir}: the run that held it (pid ${holder.pid}, since ${holder.started}) is no longer running; its lock is taken over`
      )
      break
    }
    yield* Effect.locallyScoped(heldFolders, new Set([...held, resolved]))
    yield* Effect.addFinalizer(() => Effect.ignore(fs.remove(file)))
  })

/**
 * Replaces a dead holder's lock with ours. Two processes may find the same dead lock: a second
 * O_EXCL file, `run.lock.takeover`, lets one of them replace it (atomically, by rename) while the
 * other fails; the winner checks the lock is still the dead one first.
 */
const takeOver = (fs: FileSystem.FileSystem, dir: string, file: string, dead: string, text: string) =>
  Effect.gen(function* () {
    const mutex = `${file}.takeover`
    const unreadable = (reason: string) => new RunLockUnreadable({ file, reason })
    yield* fs
      .writeFileString(mutex, text, { flag: "wx" })
      .pipe(
        Effect.mapError(() =>
          unreadable(`another process is taking over this stale lock (${mutex} exists; delete it if none is)`)
        )
      )
    yield* Effect.gen(function* () {
      const now = yield* fs.readFileString(file).pipe(Effect.mapError((e) => unreadable(e.message)))
      if (now !== dead) return yield* unreadable(`another process took the lock of ${dir} first; try again`)
      const fresh = `${file}.${process.pid}`
      yield* fs.writeFileString(fresh, text).pipe(Effect.mapError((e) => unreadable(e.message)))
      yield* fs.rename(fresh, file).pipe(Effect.mapError((e) => unreadable(e.message)))
    }).pipe(Effect.ensuring(Effect.ignore(fs.remove(mutex))))
  })
