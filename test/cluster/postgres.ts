/**
 * A throwaway Postgres for cluster tests, through scripts/postgres.sh (Debian's postgresql:
 * binaries in /usr/local/bin or /usr/lib/postgresql/<version>/bin). Tests that need it skip with
 * a note when the binaries are absent.
 */
import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"

const script = fileURLToPath(new URL("../../scripts/postgres.sh", import.meta.url))

export const hasPostgres = spawnSync("bash", [script, "bin"], { encoding: "utf8" }).status === 0
if (!hasPostgres)
  console.warn(
    "[concner tests] no postgres binaries (initdb, pg_ctl): cluster tests are skipped (apt-get install postgresql)"
  )

/** A free loopback port (free when asked; fine for tests). */
export const freePort = Effect.async<number>((resume) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})

/** A Postgres on a temp folder and a free loopback port for the scope; its URL. */
export const scopedPostgres = Effect.gen(function* () {
  const port = yield* freePort
  const dir = mkdtempSync(path.join(os.tmpdir(), "concner-pg-"))
  return yield* Effect.acquireRelease(
    Effect.sync(() => {
      const started = spawnSync("bash", [script, "start", dir, String(port)], { encoding: "utf8" })
      if (started.status !== 0) throw new Error(`postgres did not start: ${started.stderr}`)
      return started.stdout.trim()
    }),
    () =>
      Effect.sync(() => {
        spawnSync("bash", [script, "stop", dir], { encoding: "utf8" })
        rmSync(dir, { recursive: true, force: true })
      })
  )
})
