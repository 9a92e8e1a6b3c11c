/**
 * A user's own loss trained end to end, as the README shows it: `experiments/custom-loss.ts`
 * (imports only the package) shrunk to one tiny cell by a grid module of the test's, run by
 * `concner run` — whose cell process loads the module's `terms` — then the recorded spec re-run
 * by `concner train --spec` without and with `--experiment`.
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { Protocol } from "../../src/experiment/spec.js"
import { withoutTimes } from "../../src/records/metricsLog.js"
import { concner } from "../support/cli.js"
import { dataRoot, hasData } from "../support/data.js"
import { makeTinyRunModel, runLayer, tinyProtocol } from "../support/runs.js"
import { removeTempDirs, tempDir } from "../support/tempDir.js"

const example = path.resolve("experiments/custom-loss.ts")

const files = (dir: string, name: string): Array<string> =>
  readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => path.basename(f) === name)
    .map((f) => path.join(dir, f))

describe.skipIf(!hasData)("a custom loss term, end to end", () => {
  it.live(
    "concner run trains it and logs it by name; train --spec refuses it unregistered, runs it with --experiment",
    () =>
      Effect.gen(function* () {
        const dir = tempDir("concner-custom-loss-")
        const model = yield* makeTinyRunModel(dir).pipe(Effect.provide(runLayer("cpu")))
        const protocol = Schema.encodeSync(Protocol)(tinyProtocol(60))
        // .mts: an ES module wherever it lies (a .ts file outside a "type": "module" package is CommonJS)
        const gridFile = path.join(dir, "grid.mts")
        writeFileSync(
          gridFile,
          [
            `import grid, { terms } from ${JSON.stringify(example)}`,
            "export { terms }",
            `export default { ...grid, name: "custom-tiny", sourceSizes: [16], seeds: [1], methods: [grid.methods[0]],`,
            `  model: ${JSON.stringify(model)}, protocol: ${JSON.stringify(protocol)} }`
          ].join("\n")
        )
        const out = path.join(dir, "out")
        const common = ["--backend", "cpu", "--data", dataRoot]
        const run = yield* concner(["run", gridFile, "--out", out, ...common], { limitMs: 400_000 })
        if (run.status !== 0) console.log(run.stderr)
        expect(run.status).toBe(0)
        const [metrics] = files(path.join(out, "conll"), "metrics.jsonl")
        const steps = readFileSync(metrics!, "utf8")
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l))
          .filter((e) => e.terms !== undefined)
        expect(steps.length).toBeGreaterThan(0)
        for (const step of steps)
          expect(Object.keys(step.terms).sort()).toEqual(["ceSource", "ceTranslation", "multi-scale-lcl"])
        const specFile = path.join(path.dirname(metrics!), "spec.json")
        expect(JSON.parse(readFileSync(specFile, "utf8")).spec.method.customTerms).toEqual([
          { name: "multi-scale-lcl", version: "1", needs: { source: true, translations: true }, weight: 0.5 }
        ])

        const unregistered = yield* concner([
          "train",
          "--spec",
          specFile,
          "--out",
          path.join(dir, "again"),
          ...common
        ])
        expect(unregistered.status).not.toBe(0)
        expect(unregistered.stderr).toContain(
          'objective "en-trans-mslcl" uses the loss term "multi-scale-lcl", and no loss terms are registered: pass --experiment FILE'
        )
        expect(unregistered.stderr).not.toMatch(/\n\s+at /)

        const again = path.join(dir, "again-registered")
        const registered = yield* concner(
          ["train", "--spec", specFile, "--out", again, "--experiment", example, ...common],
          { limitMs: 300_000 }
        )
        expect(registered.status).toBe(0)
        const log = (file: string) => withoutTimes(readFileSync(file, "utf8"))
        expect(log(path.join(again, "metrics.jsonl"))).toBe(log(metrics!))
      }).pipe(Effect.ensuring(Effect.sync(removeTempDirs))),
    900_000
  )
})
