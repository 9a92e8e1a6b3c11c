/**
 * `npx tsx bench/package.ts [--runs N]`: what installing concner costs a user, measured from the
 * tarball `npm pack` makes — its size and file count, the install into an empty project (npm's
 * cache warm, as after any earlier install; the native addon built by its install script), and the CPU time (user +
 * system, median of N runs, from GNU time) of `npx concner --version`, `concner --help`,
 * `import("concner/losses")`, `import("concner")`, and a one-line consumer's `tsc --noEmit`.
 * Prints a Markdown table (README, "Install as a package").
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { cpus, loadavg, tmpdir } from "node:os"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { makeProject, manifest, ok, pack, run } from "../test/support/tarball.js"

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } })
const runs = Number(values.runs)
const dir = mkdtempSync(path.join(tmpdir(), "concner-bench-package-"))
const project = path.join(dir, "consumer")
const { devDependencies } = manifest

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** CPU seconds (user + system) of `command args` in the project, median of `runs`. */
const cpuSeconds = async (command: string, args: ReadonlyArray<string>) => {
  const samples: Array<number> = []
  for (let i = 0; i < runs; i++) {
    const { stderr, status } = await run("/usr/bin/time", ["-f", "cpu %U %S", command, ...args], project)
    if (status !== 0) throw new Error(`${command} ${args.join(" ")}: exit ${status}: ${stderr}`)
    const [, user, system] = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr)!
    samples.push(Number(user) + Number(system))
  }
  return median(samples)
}

try {
  const packed = await pack(dir)
  const started = Date.now()
  await makeProject(project, path.join(dir, packed.filename))
  const installSeconds = (Date.now() - started) / 1000
  await ok(
    run(
      "npm",
      [
        "install",
        "--prefer-offline",
        "--no-audit",
        "--no-fund",
        `typescript@${devDependencies.typescript}`,
        `@types/node@${devDependencies["@types/node"]}`
      ],
      project
    )
  )
  writeFileSync(
    path.join(project, "one.ts"),
    'import { labelContrastiveLoss } from "concner/losses"\nexport const f = labelContrastiveLoss\n'
  )
  const tsconfig = {
    compilerOptions: { module: "NodeNext", strict: true, skipLibCheck: true, noEmit: true, types: [] },
    files: ["one.ts"]
  }
  writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify(tsconfig))
  const bin = path.join(project, "node_modules", ".bin", "concner")
  const rows: Array<[string, string]> = [
    [
      "tarball",
      `${(packed.size / 1e6).toFixed(1)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(1)} MB unpacked, ${packed.entryCount} files (MB as npm counts them: 10^6 bytes)`
    ],
    [
      "install into an empty project (npm cache warm; the native addon built by its install script)",
      `${installSeconds.toFixed(1)} s wall`
    ],
    ["`concner --version`", `${(await cpuSeconds(bin, ["--version"])).toFixed(2)} s CPU`],
    ["`concner --help`", `${(await cpuSeconds(bin, ["--help"])).toFixed(2)} s CPU`],
    [
      "`concner evaluate --help` (loads @effect/cli and the eval stage)",
      `${(await cpuSeconds(bin, ["evaluate", "--help"])).toFixed(2)} s CPU`
    ],
    [
      '`import("concner/losses")`',
      `${(await cpuSeconds("node", ["-e", 'import("concner/losses")'])).toFixed(2)} s CPU`
    ],
    ['`import("concner")`', `${(await cpuSeconds("node", ["-e", 'import("concner")'])).toFixed(2)} s CPU`],
    [
      "consumer `tsc --noEmit` (one line)",
      `${(await cpuSeconds(path.join(project, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"])).toFixed(2)} s CPU`
    ]
  ]
  console.log(
    `concner ${manifest.version}; ${cpus().length} cores (${cpus()[0]?.model}), load ${loadavg()[0]!.toFixed(1)}; median of ${runs} runs\n`
  )
  console.log("| what | measured |\n|---|---|")
  for (const [what, value] of rows) console.log(`| ${what} | ${value} |`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
