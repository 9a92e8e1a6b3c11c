/**
 * concner as a user gets it: the tarball `npm pack` makes, installed into an empty project (from
 * npm's cache where it can). Shared by the package test and the package benchmark.
 */
import { execFile } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const root = fileURLToPath(new URL("../..", import.meta.url))
export const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  readonly version: string
  readonly devDependencies: Record<string, string>
}

export interface Ran {
  readonly status: number
  readonly stdout: string
  readonly stderr: string
}

/**
 * A command's exit status and output; asynchronous, as a synchronous child would block a test
 * worker that must keep answering vitest. The native addon is not built in such projects (it is
 * tested where `npm ci` builds it): the stock kernels serve.
 */
export const run = (command: string, args: ReadonlyArray<string>, cwd: string): Promise<Ran> =>
  new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, CONCNER_NATIVE: "0", NO_COLOR: "1" },
        timeout: 600_000
      },
      (error, stdout, stderr) => {
        const status = error === null ? 0 : typeof error.code === "number" ? error.code : 1
        resolve({ status, stdout, stderr })
      }
    )
  })

/** The command's stdout; a failure throws with its output. */
export const ok = async (ran: Promise<Ran>): Promise<string> => {
  const result = await ran
  if (result.status !== 0) throw new Error(`exit ${result.status}: ${result.stderr}${result.stdout}`)
  return result.stdout
}

export const npmInstall = (project: string, ...specs: ReadonlyArray<string>) =>
  ok(
    run(
      "npm",
      ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", ...specs],
      project
    )
  )

export interface Packed {
  readonly filename: string
  readonly size: number
  readonly unpackedSize: number
  readonly entryCount: number
  readonly files: ReadonlyArray<{ readonly path: string }>
}

/** `npm pack` of this repository into `dir` (its `prepack` builds `dist/`). */
export const pack = async (dir: string): Promise<Packed> =>
  (JSON.parse(await ok(run("npm", ["pack", "--json", "--pack-destination", dir], root))) as Array<Packed>)[0]!

/** An empty ESM project at `project` with `specs` installed. */
export const makeProject = async (project: string, ...specs: ReadonlyArray<string>) => {
  mkdirSync(project, { recursive: true })
  writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({ name: "consumer", private: true, type: "module" })
  )
  await npmInstall(project, ...specs)
}
