/**
 * A content-hash cache for line engines, so repeated experiments do not re-translate.
 *
 * Where: `<dir>/translate/<first 16 hex of sha256(engine name)>.jsonl`, one JSON pair
 * `[sha256(input line), output line]` per line, appended as lines are translated. `dir` is the
 * caller's (`concner translate --cache`), by default `$CONCNER_CACHE`, else
 * `$XDG_CACHE_HOME/concner`, else `~/.cache/concner` (`defaultCacheDir`). Deleting the file
 * forgets that engine's translations. Only uncached, distinct lines reach the engine.
 *
 * Each call appends its entries in one `O_APPEND` write, so processes sharing the cache add whole
 * lines. A process killed mid-write can leave a last line without its newline: that tail is cut
 * off with a warning when the file is next read (its lines are translated again) — appending after
 * it would have glued the next entry onto it. A bad line anywhere else is an error.
 */
import { createHash } from "node:crypto"
import * as os from "node:os"
import * as path from "node:path"
import type { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import { EngineError } from "./errors.js"
import type { LineEngine } from "./lineEngine.js"

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

export const defaultCacheDir = (env: NodeJS.ProcessEnv = process.env): string =>
  env.CONCNER_CACHE ?? path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "concner")

export const cacheFile = (dir: string, engine: string) =>
  path.join(dir, "translate", `${sha256(engine).slice(0, 16)}.jsonl`)

/** `engine` with its outputs remembered in `dir` (see the module comment). */
export const cachedEngine = (engine: LineEngine, dir: string, fs: FileSystem.FileSystem): LineEngine => {
  const file = cacheFile(dir, engine.name)
  const ioError = (e: { message: string }) =>
    new EngineError({ engine: engine.name, reason: `cache ${file}: ${e.message}` })
  const load = Effect.gen(function* () {
    const known = new Map<string, string>()
    if (!(yield* fs.exists(file))) return known
    const text = yield* fs.readFileString(file)
    const whole = text.slice(0, text.lastIndexOf("\n") + 1)
    if (whole.length < text.length) {
      yield* Effect.logWarning(
        `cache ${file}: cut off a partial last line (an interrupted write); its line is translated again`
      )
      yield* fs.truncate(file, Buffer.byteLength(whole))
    }
    const lines = whole.split("\n")
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] === "") continue
      const entry = yield* Effect.try({
        try: (): unknown => JSON.parse(lines[i]!),
        catch: () => ({ message: `line ${i + 1} is not JSON (delete the file to rebuild it)` })
      })
      if (
        !(
          Array.isArray(entry) &&
          entry.length === 2 &&
          typeof entry[0] === "string" &&
          typeof entry[1] === "string"
        )
      )
        return yield* Effect.fail({
          message: `line ${i + 1} is not a [hash, line] pair (delete the file to rebuild it)`
        })
      known.set(entry[0], entry[1])
    }
    return known
  })
  return {
    name: engine.name,
    run: Effect.fn("Translator.cachedRun")(function* (lines) {
      const known = yield* load.pipe(Effect.mapError(ioError))
      const keys = lines.map(sha256)
      const missing = [...new Set(lines.filter((_, i) => !known.has(keys[i]!)))]
      if (missing.length > 0) {
        const translated = yield* engine.run(missing)
        const entries = missing.map((line, i) => [sha256(line), translated[i]!] as const)
        for (const [key, value] of entries) known.set(key, value)
        yield* fs.makeDirectory(path.dirname(file), { recursive: true }).pipe(Effect.mapError(ioError))
        yield* fs
          .writeFileString(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(""), { flag: "a" })
          .pipe(Effect.mapError(ioError))
      }
      return keys.map((key) => known.get(key)!)
    })
  }
}
