/**
 * concner as a user gets it: `npm pack`, the tarball installed into an empty project (from npm's
 * cache where it can), then imported from plain Node, run through `npx`, type-checked by a strict
 * consumer, and given a JSON grid file and a TypeScript experiment module.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type Packed, makeProject, manifest, npmInstall, ok, pack, run as runIn } from "../support/tarball.js"

const { version, devDependencies } = manifest
const dir = mkdtempSync(path.join(tmpdir(), "concner-package-"))
const project = path.join(dir, "consumer")
const run = (command: string, args: ReadonlyArray<string>) => runIn(command, args, project)
let packed: Packed

beforeAll(async () => {
  packed = await pack(dir)
  await makeProject(
    project,
    path.join(dir, packed.filename),
    `typescript@${devDependencies.typescript}`,
    `@types/node@${devDependencies["@types/node"]}`
  )
}, 900_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("the packed tarball", () => {
  it("holds the build, the bin, the native sources and the shipped encoder, no tests or results", () => {
    const files = packed.files.map((f) => f.path)
    expect(files).toEqual(
      expect.arrayContaining(["dist/index.js", "dist/losses/index.d.ts", "bin/concner.js"])
    )
    expect(files).toEqual(
      expect.arrayContaining(["native/build.mjs", "models/concner-small/model.safetensors"])
    )
    expect(files.filter((f) => /^(test|results|src|\.changeset|experiments)\//.test(f))).toEqual([])
    expect(packed.size).toBeLessThan(30 * 1024 * 1024)
  })

  it("imports in plain Node: concner and concner/losses, and computes LCL", async () => {
    writeFileSync(
      path.join(project, "lcl.mjs"),
      `import { tf } from "concner"
import { labelContrastiveLoss } from "concner/losses"
await tf.setBackend("cpu")
const vectors = tf.tensor2d([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9]])
const labels = tf.tensor1d([1, 1, 2, 2], "int32")
console.log(labelContrastiveLoss(vectors, labels, { temperature: 0.1 }).dataSync()[0])
`
    )
    const value = Number((await ok(run("node", ["lcl.mjs"]))).trim())
    expect(Number.isFinite(value) && value > 0).toBe(true)
    const missing = await run("node", ["--input-type=module", "-e", 'import("concner/no-such-stage")'])
    expect(missing.status).not.toBe(0)
    expect(missing.stderr).toContain("ERR_PACKAGE_PATH_NOT_EXPORTED")
  })

  it("runs its CLI with npx: --version, and evaluate on a small file", async () => {
    expect((await ok(run("npx", ["concner", "--version"]))).trim()).toBe(version)
    writeFileSync(
      path.join(project, "pred.txt"),
      "EU B-ORG B-ORG\nrejects O O\nGerman B-MISC B-MISC\ncall O O\n"
    )
    expect(await ok(run("npx", ["concner", "evaluate", "pred.txt"]))).toMatch(
      /accuracy: +100\.00%; precision: +100\.00%/
    )
  })

  it("type-checks a strict consumer against the shipped declarations", async () => {
    writeFileSync(
      path.join(project, "consumer.ts"),
      `import { type ExperimentSpec, paperObjectives, protocols } from "concner"
import { type Objective, labelContrastiveLoss } from "concner/losses"
import type { ReportRow } from "concner/report"
const objective: Objective = paperObjectives.concner
const spec: Pick<ExperimentSpec, "sourceSize" | "seed"> = { sourceSize: 1000, seed: 1 }
const row: Pick<ReportRow, "mean"> | undefined = undefined
export const used = [objective.name, spec.seed, protocols.cpu.lr, row, labelContrastiveLoss]
`
    )
    writeFileSync(
      path.join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          exactOptionalPropertyTypes: true,
          noPropertyAccessFromIndexSignature: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: true,
          noEmit: true,
          types: ["node"]
        },
        files: ["consumer.ts"]
      })
    )
    await ok(run("npx", ["tsc", "-p", "tsconfig.json"]))
  })

  it("loads a JSON grid file, and a TypeScript experiment module once a loader is installed", async () => {
    const data = path.join(dir, "no-data")
    mkdirSync(data, { recursive: true })
    // mulda on WikiAnn ar: no published translations, so the one cell is reported, nothing trains
    const grid = {
      methods: ["mulda"],
      corpus: "wikiann",
      langs: ["ar"],
      sourceSizes: [16],
      seeds: [1],
      protocol: "cpu"
    }
    writeFileSync(path.join(project, "grid.json"), JSON.stringify(grid))
    const fromJson = await ok(
      run("npx", ["concner", "run", "grid.json", "--out", "out-json", "--data", data])
    )
    expect(fromJson).toContain("wikiann mulda ar 16 seed 1: unavailable")

    writeFileSync(
      path.join(project, "grid.ts"),
      `import { type Grid, targetsOf } from "concner/experiment"
const grid: Grid = { name: "ts-grid", sourceSizes: [16], methods: ["mulda"], targets: targetsOf("wikiann", ["ar"]), seeds: [1], translations: "mulda" }
export default grid
`
    )
    const withoutLoader = await run("npx", ["concner", "run", "grid.ts", "--out", "out-ts", "--data", data])
    expect(withoutLoader.status).not.toBe(0)
    expect(withoutLoader.stderr).toContain("npm install --save-dev tsx")
    await npmInstall(project, `tsx@${devDependencies.tsx}`)
    const fromTs = await ok(run("npx", ["concner", "run", "grid.ts", "--out", "out-ts", "--data", data]))
    expect(fromTs).toContain("wikiann mulda ar 16 seed 1: unavailable")
  })
})
