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
 * sees as `timedOut`, not a test that never ends); `interrupt`: a signal sent once stderr shows a line.
 */
export const concner = (
  args: ReadonlyArray<string>,
  options: {
    readonly input?: string
    readonly limitMs?: number
    readonly env?: Record<string, string>
    /** Sends `signal` once stderr matches `when` (Ctrl-C is SIGINT). */
    readonly interrupt?: { readonly when: RegExp; readonly signal: NodeJS.Signals }
  } = {}
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
    let interrupted = false
    child.stderr.on("data", (d) => {
      stderr += d
      if (options.interrupt !== undefined && !interrupted && options.interrupt.when.test(stderr)) {
        interrupted = true
        child.kill(options.interrupt.signal)
      }
    })
    child.on("close", (status) => {
      clearTimeout(timer)
      resume(Effect.succeed({ status, stdout, stderr, timedOut }))
    })
    child.stdin.on("error", () => {}) // the child may exit before reading its input
    child.stdin.end(options.input ?? "")
  })
