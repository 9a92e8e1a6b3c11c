// Builds the optional native addon at install time (`npm ci` runs this as the `install` script).
// It never fails the install: when the build is impossible (no compiler, no node headers) the reason
// goes to native/build/status.json, which `concner doctor` reports, and concner runs on the stock
// backends. node-gyp must not download headers: when no nodedir is set and Debian's headers exist
// (/usr/include/node) they are used. The addon's own GEMM needs only the C compiler; OpenBLAS
// (`apt-get install libopenblas-dev`) is compiled in as a second GEMM when a test program links
// against it, unless CONCNER_BLAS=builtin at install time (CI builds both ways).
import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
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

/** Whether a C program using OpenBLAS compiles and links here, and why not. */
const findOpenBlas = () => {
  if (process.env.CONCNER_BLAS === "builtin") return { openblas: false, openblasReason: "CONCNER_BLAS=builtin at install time" }
  const dir = mkdtempSync(join(tmpdir(), "concner-openblas-"))
  try {
    const source = join(dir, "probe.c")
    writeFileSync(source, "#include <cblas.h>\nint main(void) { return openblas_get_config() == 0; }\n")
    const cc = spawnSync(process.env.CC ?? "cc", [source, "-o", join(dir, "probe"), "-lopenblas"], { encoding: "utf8" })
    if (cc.status === 0) return { openblas: true, openblasReason: "found (cblas.h and -lopenblas)" }
    if (cc.error !== undefined) return { openblas: false, openblasReason: `not probed: no C compiler (${cc.error.message})` }
    const why = /cblas\.h/.test(cc.stderr ?? "")
      ? "no cblas.h"
      : /-lopenblas/.test(cc.stderr ?? "")
        ? "no libopenblas"
        : (cc.stderr ?? "").split("\n")[0]
    return { openblas: false, openblasReason: `not found (${why}: apt-get install libopenblas-dev)` }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.env.CONCNER_NATIVE === "0") record({ ok: false, reason: "CONCNER_NATIVE=0 at install time" })
else if (nodeGyp === undefined)
  record({ ok: false, reason: "node-gyp not found (npm's bundled copy is missing)" })
else {
  const env = { ...process.env }
  if (env.npm_config_nodedir === undefined && existsSync("/usr/include/node/node_api.h"))
    env.npm_config_nodedir = "/usr"
  const blas = findOpenBlas()
  const run = spawnSync(process.execPath, [nodeGyp, "rebuild", "--", `-Dconcner_openblas=${blas.openblas ? 1 : 0}`], {
    cwd: here,
    env,
    encoding: "utf8"
  })
  if (run.status === 0)
    record({ ok: true, reason: blas.openblas ? "built with OpenBLAS and the built-in GEMM" : "built with the built-in GEMM", ...blas })
  else {
    const output = `${run.stdout ?? ""}${run.stderr ?? ""}`
    const lines = output
      .split("\n")
      .filter((l) => /fatal error|cannot find|not found|No such file|ENOTFOUND|EAI_AGAIN/i.test(l))
      .slice(0, 3)
    const hint = /fatal error: node_api\.h|ENOTFOUND|EAI_AGAIN/.test(output)
        ? " (node headers missing: set npm_config_nodedir or install nodejs headers)"
        : /spawn (make|cc|gcc) ENOENT|(make|gcc|cc): (command )?not found|No such file or directory: '[^']*\b(cc|gcc|c\+\+|g\+\+)'/.test(output)
          ? " (no compiler: apt-get install build-essential)"
          : ""
    record({
      ok: false,
      reason: `node-gyp rebuild failed${hint}: ${lines.join(" | ") || run.error?.message || `exit ${run.status}`}`,
      ...blas
    })
  }
}
