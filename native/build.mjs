// Builds the optional native addon at install time (`npm ci` runs this as the `install` script).
// It never fails the install: when the build is impossible (no compiler, no OpenBLAS headers, no
// node headers) the reason goes to native/build/status.json, which `concner doctor` reports, and
// concner runs on the stock backends. node-gyp must not download headers: when no nodedir is set
// and Debian's headers exist (/usr/include/node) they are used. OpenBLAS comes from the system
// (`apt-get install build-essential libopenblas-dev`).
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const statusFile = join(here, "build", "status.json")

const record = (status) => {
  mkdirSync(join(here, "build"), { recursive: true })
  writeFileSync(
    statusFile,
    `${JSON.stringify({ ...status, node: process.version, at: new Date().toISOString() })}\n`
  )
  console.log(status.ok ? "concner native addon built" : `concner native addon not built: ${status.reason}`)
}

// npm exports the path of its bundled node-gyp to lifecycle scripts; else look beside node.
const nodeGyp = [
  process.env.npm_config_node_gyp,
  join(
    dirname(process.execPath),
    "..",
    "lib",
    "node_modules",
    "npm",
    "node_modules",
    "node-gyp",
    "bin",
    "node-gyp.js"
  )
].find((p) => p !== undefined && existsSync(p))

if (process.env.CONCNER_NATIVE === "0") record({ ok: false, reason: "CONCNER_NATIVE=0 at install time" })
else if (nodeGyp === undefined)
  record({ ok: false, reason: "node-gyp not found (npm's bundled copy is missing)" })
else {
  const env = { ...process.env }
  if (env.npm_config_nodedir === undefined && existsSync("/usr/include/node/node_api.h"))
    env.npm_config_nodedir = "/usr"
  const run = spawnSync(process.execPath, [nodeGyp, "rebuild"], { cwd: here, env, encoding: "utf8" })
  if (run.status === 0) record({ ok: true, reason: "built" })
  else {
    const output = `${run.stdout ?? ""}${run.stderr ?? ""}`
    const lines = output
      .split("\n")
      .filter((l) => /fatal error|cannot find|not found|No such file|ENOTFOUND|EAI_AGAIN/i.test(l))
      .slice(0, 3)
    const hint = /fatal error: cblas\.h|cannot find -lopenblas/.test(output)
      ? " (OpenBLAS missing: apt-get install libopenblas-dev)"
      : /fatal error: node_api\.h|ENOTFOUND|EAI_AGAIN/.test(output)
        ? " (node headers missing: set npm_config_nodedir or install nodejs headers)"
        : /spawn (make|cc|gcc) ENOENT|(make|gcc|cc): (command )?not found/.test(output)
          ? " (no compiler: apt-get install build-essential)"
          : ""
    record({
      ok: false,
      reason: `node-gyp rebuild failed${hint}: ${lines.join(" | ") || run.error?.message || `exit ${run.status}`}`
    })
  }
}
