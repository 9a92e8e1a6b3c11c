/**
 * Runs the PyTorch mirror (`bench/reference/concner_step.py`) when a Python with `torch` exists:
 * `CONCNER_PYTHON`, else `python3`, else `/usr/bin/python3` (Debian's python3-torch installs
 * there, which a pyenv `python3` on PATH hides). Never in CI (`CI` set): the mirror is a
 * measurement, not a test.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"

export interface ReferenceSettings {
  readonly config: string
  readonly vocab: number
  readonly seq: number
  readonly steps: number
  readonly warmup: number
  readonly threads: number
}

export interface ReferenceRun {
  readonly tokens_per_s: number
  readonly eval_tokens_per_s: number
  readonly peak_rss_mb: number
  readonly [key: string]: unknown
}

export type ReferenceResult =
  | { readonly ok: true; readonly result: ReferenceRun }
  | { readonly ok: false; readonly reason: string }

const script = fileURLToPath(new URL("./reference/concner_step.py", import.meta.url))

const run = (file: string, args: ReadonlyArray<string>) =>
  Effect.async<{ stdout: string; stderr: string }, Error>((resume) => {
    execFile(file, [...args], { maxBuffer: 1 << 24 }, (error, stdout, stderr) =>
      resume(error ? Effect.fail(error) : Effect.succeed({ stdout, stderr }))
    )
  })

const pythonWithTorch = Effect.gen(function* () {
  const candidates = [process.env.CONCNER_PYTHON, "python3", "/usr/bin/python3"].filter(
    (c): c is string => c !== undefined && c !== ""
  )
  for (const python of candidates) {
    const probe = yield* Effect.either(run(python, ["-c", "import torch"]))
    if (probe._tag === "Right") return python
  }
  return undefined
})

export const runReference = (settings: ReferenceSettings): Effect.Effect<ReferenceResult> =>
  Effect.gen(function* () {
    if (process.env.CI)
      return { ok: false, reason: "skipped: CI is set (the mirror never runs in CI)" } as const
    const python = yield* pythonWithTorch
    if (python === undefined)
      return {
        ok: false,
        reason: "skipped: no python3 can import torch (apt-get install python3-torch, or set CONCNER_PYTHON)"
      } as const
    const args = [script, ...Object.entries(settings).flatMap(([k, v]) => [`--${k}`, String(v)])]
    const out = yield* Effect.either(run(python, args))
    if (out._tag === "Left")
      return { ok: false, reason: `failed: ${out.left.message.split("\n").slice(-3).join(" ")}` } as const
    const line = out.right.stdout.trim().split("\n").at(-1) ?? ""
    return { ok: true, result: JSON.parse(line) as ReferenceRun } as const
  })
