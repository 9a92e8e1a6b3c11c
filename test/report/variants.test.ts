/**
 * Hyper-parameter variants and the in-language ceiling in every form of the report: two `maxSteps`
 * variants of a cell are rows side by side (not refused as one seed counted twice), the ceiling
 * (`tgt`) is a row of its own and each transfer row gets its share of it; the CSV re-parses to the
 * same numbers and the LaTeX compiles (where a TeX engine is installed). Synthetic run folders, as
 * real runs write them but with chosen numbers.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Objective } from "../../src/losses/objective.js"
import {
  collectResults,
  formatReportLatex,
  formatReportMarkdown,
  listRuns,
  reportDir,
  whereRuns,
  writeCsvReport,
  writeHtmlReport
} from "../../src/report/index.js"
import { dataRoot, hasData } from "../support/data.js"
import { makeTinyRunModel, runLayer } from "../support/runs.js"
import { type SyntheticRun, writeSyntheticRun } from "./syntheticRuns.js"

const tgt = new Objective({ name: "tgt", weights: { ceSource: 1, ceTranslation: 0, lcl: 0, tcl: 0, kd: 0 } })

const base = {
  corpus: "conll",
  lang: "de",
  sourceSize: 1000,
  protocol: "cpu",
  model: "models/concner-small",
  translations: "mulda"
} as const

// en and mulda at two step budgets, seeds 1 and 2; the ceiling at one
const runs: ReadonlyArray<SyntheticRun> = [
  ...[8, 16].flatMap((maxSteps) =>
    [1, 2].flatMap((seed) => [
      { ...base, method: "en", seed, f1: maxSteps + seed, overrides: { maxSteps } },
      {
        ...base,
        method: "mulda",
        seed,
        f1: 2 * maxSteps + seed,
        overrides: { maxSteps },
        labels: { name: `steps-${maxSteps}`, tags: ["sweep"] }
      }
    ])
  ),
  { ...base, method: tgt, seed: 1, f1: 79, overrides: { maxSteps: 16 } },
  { ...base, method: tgt, seed: 2, f1: 81, overrides: { maxSteps: 16 } }
]

const folder = Effect.gen(function* () {
  const fs = yield* FileSystem.FileSystem
  const root = yield* fs.makeTempDirectoryScoped()
  const dataFile = path.join(root, "train.txt")
  yield* fs.writeFileString(dataFile, "EU B-ORG\n")
  const dir = path.join(root, "runs")
  for (const [i, run] of runs.entries()) yield* writeSyntheticRun(dir, i, run, dataFile)
  return { root, dir }
})

const bin = path.resolve("bin/concner.js")
const concner = (args: ReadonlyArray<string>) =>
  Effect.async<{ code: number | null; stdout: string; stderr: string }>((resume) => {
    const child: ChildProcess = spawn("node", [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout!.on("data", (d) => {
      stdout += d
    })
    child.stderr!.on("data", (d) => {
      stderr += d
    })
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
  })

const python = spawnSync("python3", ["--version"]).status === 0
const tex = ["lualatex", "pdflatex", "xelatex"].find((bin) => spawnSync(bin, ["--version"]).status === 0)

describe("variants and the in-language ceiling", () => {
  it.scoped("two maxSteps variants are rows side by side; the ceiling is a row with shares of it", () =>
    Effect.gen(function* () {
      const { dir } = yield* folder
      const rows = yield* reportDir(dir)
      expect(rows.map((r) => `${r.method} ${JSON.stringify(r.variant)} ${r.mean}`)).toEqual([
        'en {"protocol.maxSteps":"8"} 9.5',
        'en {"protocol.maxSteps":"16"} 17.5',
        'mulda {"protocol.maxSteps":"8"} 17.5',
        'mulda {"protocol.maxSteps":"16"} 33.5',
        'tgt {"protocol.maxSteps":"16"} 80'
      ])
      // paired within the variant: mulda at 8 steps against en at 8 steps
      expect(rows[2]!.vsEn!.diff).toBe(8)
      expect(rows[3]!.vsEn!.diff).toBe(16)
      // the share of the ceiling (same corpus, language and size), none for the ceiling itself
      expect(rows.map((r) => r.ofCeiling)).toEqual([
        (100 * 9.5) / 80,
        (100 * 17.5) / 80,
        (100 * 17.5) / 80,
        (100 * 33.5) / 80,
        undefined
      ])
      expect(rows[4]!.vsEn).toBeUndefined()

      const markdown = formatReportMarkdown(rows)
      expect(markdown).toMatch(/\| size \| method +\| lang \| maxSteps \|/)
      expect(markdown.replace(/\s+/g, " ")).toContain(
        "whose specs differ in protocol.maxSteps, one row per value"
      )
      expect(markdown).toMatch(/\| 1000 \| In-language \(ceiling\) \| de +\| 16 +\| +80\.00 ± 1\.41 \|/)
      expect(markdown).toContain("% of ceiling")
      expect(markdown).toMatch(
        /\| 1000 \| mulda +\| de +\| 16 +\| +33\.50 ± 0\.71 \| +2 \| +65\.29 \| +41\.9 \|/
      )
      expect(Math.max(...markdown.split("\n").map((l) => [...l].length))).toBeLessThanOrEqual(100)

      const latex = formatReportLatex(rows)
      expect(latex).toContain("\\toprule")
      expect(latex).toContain("size & method & maxSteps & de")
      expect(latex).toContain("In-language (ceiling) & 16 & 80.00 $\\pm$ 1.41 &")
      // the best transfer row in bold; the ceiling, an upper bound, is not a contender
      expect(latex).toContain("mulda & 16 & \\textbf{33.50 $\\pm$ 0.71} & 41.9")

      // the page: a set of paper tables per variant, the ceiling a row under the paper's rows
      const { root } = yield* folder
      const page = yield* writeHtmlReport({
        dir,
        found: yield* collectResults(dir),
        figureFiles: [],
        out: path.join(root, "report.html")
      })
      expect(page).toContain("Table 5: CoNLL without distillation — protocol.maxSteps 8</caption>")
      expect(page).toContain("Table 5: CoNLL without distillation — protocol.maxSteps 16</caption>")
      expect(page).toMatch(
        /<tr class="ceiling-row"><th scope="row">1000<\/th><th scope="row">In-language \(ceiling\)<\/th><td class="cell[^"]*"><span class="score">80\.00 ± 1\.41/
      )
      expect(page).toContain('<span class="ceiling">41.9 % of ceiling</span>')
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("the CSV re-parses (Python's csv module) to the same numbers", () =>
    Effect.gen(function* () {
      if (!python) return console.warn("CSV re-parse skipped: no python3")
      const { root, dir } = yield* folder
      const rows = yield* reportDir(dir)
      const [summary, seeds] = yield* writeCsvReport(path.join(root, "csv"), rows)
      const parse = (file: string) =>
        JSON.parse(
          spawnSync(
            "python3",
            [
              "-c",
              "import csv,json,sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1], newline='')))))",
              file
            ],
            { encoding: "utf8" }
          ).stdout
        ) as Array<Record<string, string>>
      const parsed = parse(summary!)
      expect(parsed.map((r) => Number(r.f1_mean))).toEqual(rows.map((r) => r.mean))
      expect(parsed.map((r) => (r.f1_std === "" ? undefined : Number(r.f1_std)))).toEqual(
        rows.map((r) => r.std)
      )
      expect(parsed.map((r) => r["protocol.maxSteps"])).toEqual(["8", "16", "8", "16", "16"])
      expect(parsed.map((r) => r.of_ceiling_percent)).toEqual(
        rows.map((r) => (r.ofCeiling === undefined ? "" : String(r.ofCeiling)))
      )
      expect(parsed[4]!.label).toBe("In-language (ceiling)")
      const perRun = parse(seeds!)
      expect(perRun).toHaveLength(runs.length)
      expect(perRun.map((r) => Number(r.f1)).sort((a, b) => a - b)).toEqual(
        runs.map((r) => r.f1).sort((a, b) => a - b)
      )
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("the LaTeX compiles with booktabs", () =>
    Effect.gen(function* () {
      if (tex === undefined)
        return console.warn(
          "LaTeX compile skipped: no lualatex, pdflatex or xelatex (Debian: texlive-latex-extra)"
        )
      const fs = yield* FileSystem.FileSystem
      const { root, dir } = yield* folder
      const file = path.join(root, "report.tex")
      yield* fs.writeFileString(
        file,
        `\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n${formatReportLatex(yield* reportDir(dir))}\\end{document}\n`
      )
      const run = spawnSync(tex, ["-interaction=nonstopmode", "-halt-on-error", "report.tex"], {
        cwd: root,
        encoding: "utf8"
      })
      expect(run.status, run.stdout.slice(-2000)).toBe(0)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped(
    "`concner report` prints both variants; `concner runs --where` lists runs by their fields",
    () =>
      Effect.gen(function* () {
        const { dir } = yield* folder
        const report = yield* concner(["report", dir])
        expect(report.stderr).toBe("")
        expect(report.code).toBe(0)
        expect(report.stdout).toMatch(/\| 1000 \| en +\| de +\| 8 +\| +9\.50 ± 0\.71 \|/)
        expect(report.stdout).toMatch(/\| 1000 \| en +\| de +\| 16 +\| +17\.50 ± 0\.71 \|/)
        const listed = yield* listRuns(dir)
        expect(listed).toHaveLength(runs.length)
        const sweep = yield* whereRuns(listed, ["tag=sweep", "protocol.maxSteps=8"])
        expect(sweep.map((r) => [r.name, r.spec["method.name"], r.state])).toEqual([
          ["steps-8", '"mulda"', "finished"],
          ["steps-8", '"mulda"', "finished"]
        ])
        const cli = yield* concner(["runs", dir, "--where", "method=tgt", "--json"])
        expect(cli.code, cli.stderr).toBe(0)
        expect(JSON.parse(cli.stdout).map((r: { f1: number }) => r.f1)).toEqual([79, 81])
        const bad = yield* concner(["runs", dir, "--where", "method"])
        expect(bad.code).toBe(1)
        expect(bad.stderr).toContain("--where method: expected field=value")
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})

describe.skipIf(!hasData)("two trained --max-steps variants", () => {
  it.scoped(
    "`concner report` shows both side by side, `concner runs` tells them apart",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const root = yield* fs.makeTempDirectoryScoped()
        const model = yield* makeTinyRunModel(root)
        const dir = path.join(root, "runs")
        const train = (steps: number) =>
          concner([
            "train",
            ...["--method", "en", "--lang", "de", "--source-size", "24", "--model", model],
            ...["--out", path.join(dir, `steps-${steps}`), "--protocol", "cpu", "--max-steps", String(steps)],
            ...["--eval-every", "2", "--batch-size", "8", "--max-length", "32", "--dev-sentences", "40"],
            ...["--test-sentences", "60", "--backend", "cpu", "--data", dataRoot, "--name", `steps-${steps}`]
          ])
        const runs = yield* Effect.all([train(2), train(4)], { concurrency: 2 })
        for (const run of runs) expect(run.code, run.stderr).toBe(0)
        const report = yield* concner(["report", dir])
        expect(report.code, report.stderr).toBe(0)
        expect(report.stdout).toMatch(/\| size \| method \| lang \| maxSteps \|/)
        expect(report.stdout).toMatch(/\| {3}24 \| en +\| de +\| 2 +\|/)
        expect(report.stdout).toMatch(/\| {3}24 \| en +\| de +\| 4 +\|/)
        const listed = yield* concner(["runs", dir, "--where", "protocol.maxSteps=4", "--json"])
        expect(JSON.parse(listed.stdout).map((r: { name: string }) => r.name)).toEqual(["steps-4"])
      }).pipe(Effect.provide(runLayer("cpu"))),
    300_000
  )
})
