/** Runs the real `concner` CLI in a child process (async: vitest's worker must stay responsive). */
import { spawn } from "node:child_process"
import * as path from "node:path"
import { Effect } from "effect"

const bin = path.resolve("bin/concner.js")

export interface CliRun {
  /** Exit status; null when killed (by the time limit: `timedOut`). */
  readonly status: number | null
  readonly stdout: string
  readonly stderr: string
  readonly timedOut: boolean
}

/**
 * `concner ...args` with `input` on stdin; killed after `limitMs` (a hang is a failure the caller
 * sees as `timedOut`, not a test that never ends).
 */
export const concner = (
  args: ReadonlyArray<string>,
  options: { readonly input?: string; readonly limitMs?: number; readonly env?: Record<string, string> } = {}
) =>
  Effect.async<CliRun>((resume) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, ...options.env }
    })
    let stdout = ""
    let stderr = ""
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill("SIGKILL")
    }, options.limitMs ?? 120_000)
    child.stdout.on("data", (d) => {
      stdout += d
    })
    child.stderr.on("data", (d) => {
      stderr += d
    })
    child.on("close", (status) => {
      clearTimeout(timer)
      resume(Effect.succeed({ status, stdout, stderr, timedOut }))
    })
    child.stdin.on("error", () => {}) // the child may exit before reading its input
    child.stdin.end(options.input ?? "")
  })
