/**
 * The PyTorch mirror (`bench/reference/concner_step.py --serve`) as a child process that times
 * "train N" / "eval N" on request, so `bench/main.ts` can interleave its rounds with ours: on a
 * loaded machine both sides then see the same load. Runs when a Python with `torch` exists
 * (`CONCNER_PYTHON`, else `python3`, else `/usr/bin/python3`, where Debian's python3-torch lives
 * and which a pyenv `python3` on PATH hides); never in CI (`CI` set): it is a measurement.
 */
import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { Effect, type Scope } from "effect"

export interface ReferenceSettings {
  readonly config: string
  readonly vocab: number
  readonly seq: number
  readonly warmup: number
  readonly threads: number
}

export interface Reference {
  /** what the mirror reported at start (backend, torch version, threads) */
  readonly info: Readonly<Record<string, unknown>>
  /** seconds per call of `times` train steps or eval passes, and the mirror's peak RSS so far */
  readonly time: (what: "train" | "eval", times: number) => Effect.Effect<Timing>
}

/** Wall and process-CPU seconds per call, and the mirror's peak RSS so far. */
export interface Timing {
  readonly s_per_step: number
  readonly cpu_s_per_step: number
  readonly peak_rss_mb: number
}

export type ReferenceStart =
  | { readonly ok: true; readonly reference: Reference }
  | { readonly ok: false; readonly reason: string }

const script = fileURLToPath(new URL("./reference/concner_step.py", import.meta.url))

const importsTorch = (python: string) =>
  Effect.async<boolean>((resume) => {
    execFile(python, ["-c", "import torch"], (error) => resume(Effect.succeed(error === null)))
  })

/** The thread count of every BLAS/OpenMP runtime the mirror may load. */
const blasThreads = (threads: number) =>
  Object.fromEntries(
    ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"].map((k) => [k, String(threads)])
  )

const pythonWithTorch = Effect.gen(function* () {
  const candidates = [process.env.CONCNER_PYTHON, "python3", "/usr/bin/python3"].filter(
    (c): c is string => c !== undefined && c !== ""
  )
  for (const python of candidates) if (yield* importsTorch(python)) return python
  return undefined
})

/** A line reader over the child's stdout: each call waits for the next JSON line. */
const lines = (child: ChildProcessWithoutNullStreams) => {
  const queue: Array<string> = []
  const waiting: Array<(line: string | undefined) => void> = []
  const reader = createInterface({ input: child.stdout })
  reader.on("line", (line) => {
    const next = waiting.shift()
    if (next) next(line)
    else queue.push(line)
  })
  reader.on("close", () => {
    for (const w of waiting.splice(0)) w(undefined)
  })
  return () =>
    Effect.async<string | undefined>((resume) => {
      const line = queue.shift()
      if (line !== undefined) resume(Effect.succeed(line))
      else waiting.push((l) => resume(Effect.succeed(l)))
    })
}

export const startReference = (
  settings: ReferenceSettings
): Effect.Effect<ReferenceStart, never, Scope.Scope> =>
  Effect.gen(function* () {
    if (process.env.CI)
      return { ok: false, reason: "skipped: CI is set (the mirror never runs in CI)" } as const
    const python = yield* pythonWithTorch
    if (python === undefined)
      return {
        ok: false,
        reason: "skipped: no python3 can import torch (apt-get install python3-torch, or set CONCNER_PYTHON)"
      } as const
    const args = [script, "--serve", ...Object.entries(settings).flatMap(([k, v]) => [`--${k}`, String(v)])]
    const child = yield* Effect.acquireRelease(
      Effect.sync(() =>
        spawn(python, args, {
          stdio: ["pipe", "pipe", "pipe"],
          // torch.set_num_threads bounds torch's own pool, not the BLAS it calls: Debian's torch
          // multiplies through OpenBLAS, whose threads took the second core (CPU time 2× wall)
          env: { ...process.env, ...blasThreads(settings.threads) }
        })
      ),
      (c) =>
        Effect.sync(() => {
          c.stdin.end("quit\n")
          c.kill()
        })
    )
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000)
    })
    const next = lines(child)
    const first = yield* next()
    if (first === undefined)
      return { ok: false, reason: `failed: ${stderr.trim().split("\n").slice(-2).join(" ")}` } as const
    const reference: Reference = {
      info: JSON.parse(first) as Record<string, unknown>,
      time: (what, times) =>
        Effect.gen(function* () {
          child.stdin.write(`${what} ${times}\n`)
          const line = yield* next()
          if (line === undefined)
            return yield* Effect.dieMessage(`the PyTorch mirror exited: ${stderr.trim()}`)
          return JSON.parse(line) as Timing
        })
    }
    return { ok: true, reference } as const
  })
