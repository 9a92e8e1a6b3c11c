import { createHash } from "node:crypto"
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Schema } from "effect"
import { CommitInfo, Numerics, RunRecord } from "../../src/records/runRecord.js"
import { FigureInvalid, readFigure } from "../../src/report/figures.js"
import { backendText, commitState, writeHtmlReport } from "../../src/report/html.js"
import { collectResults } from "../../src/report/summary.js"
import { MBERT, sampleFolder, sampleRuns } from "./syntheticRuns.js"

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length

const tableOf = (page: string, section: number, table: string) => {
  const sectionText = page.split('<section class="setting">')[section]!
  const start = sectionText.indexOf(`data-table="${table}"`)
  return start < 0 ? undefined : sectionText.slice(start, sectionText.indexOf("</table>", start))
}

describe("HTML report", () => {
  it.scoped(
    "holds the tables, one SVG per chart, the figure and provenance, with every name escaped",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const { root, dir, dataFile } = yield* sampleFolder(sampleRuns)
        const out = path.join(root, "report.html")
        const found = yield* collectResults(dir)
        const page = yield* writeHtmlReport({ dir, found, figureFiles: [], out })
        expect(yield* fs.readFileString(out)).toBe(page)

        // nothing executable or external: no element from the hostile names, no script, no remote URL
        expect(page).not.toMatch(/<script/i)
        expect(page).not.toContain("<img src=x")
        expect(page).toContain("&#60;script&#62;alert(1)&#60;/script&#62;")
        expect(page).toContain("&#60;img src=x onerror=&#34;alert(2)&#34;&#62;")
        expect(page).not.toMatch(/(src|href)="(https?:)?\/\//i)
        expect(page).not.toMatch(/<link|@import|url\(/i)

        // sections in the Markdown report's order: cpu + tiny encoder, then the paper's setting
        const sections = page.split('<section class="setting">').slice(1)
        expect(sections).toHaveLength(2)
        const [cpu, paper] = sections as [string, string]
        expect(cpu.startsWith("<h2>protocol cpu, encoder /models/tiny/</h2>")).toBe(true)
        expect(paper.startsWith(`<h2>protocol paper, encoder ${MBERT}</h2>`)).toBe(true)

        // Table 3, paper setting: only en/de/500 ran, so only its row and column show, its average
        // missing (1 of 6)
        const t3 = tableOf(page, 2, "table3")!
        expect(count(t3, /class="cell missing"/g)).toBe(1)
        expect(count(t3, /<tr>/g)).toBe(2)
        expect(t3).toContain("<th>size</th><th>method</th><th>de</th><th>avg</th>")
        expect(t3).toMatch(
          /<td class="cell"><span class="score">61\.00 ± 1\.41<\/span> <span class="n">n=2<\/span><span class="paper">paper 59\.33<\/span><\/td>/
        )
        expect(t3).not.toContain("paper 66.66") // es: no run
        expect(t3).toContain("missing (1 of 6)")
        expect(t3).toContain("paper 55.64") // the paper's average
        // with `all`, every row and language of the paper: 71 language cells and 12 averages missing
        const all = yield* writeHtmlReport({ dir, found, figureFiles: [], out, all: true })
        const t3All = tableOf(all, 2, "table3")!
        expect(count(t3All, /class="cell missing"/g)).toBe(71 + 12)
        expect(t3All).toContain("paper 66.66")
        // Table 5 holds en 500 too; Table 4 has no `en` row, so it is not drawn
        expect(tableOf(page, 2, "table5")).toContain("61.00 ± 1.41")
        expect(tableOf(page, 2, "table4")).toBeUndefined()

        // cpu section: cells deviate, footnotes name how; KD methods report the student (45), its
        // teacher (40) beside it
        expect(count(cpu, /<td class="cell">/g)).toBe(0)
        expect(cpu).toMatch(
          /class="cell deviates"><span class="score">45\.00<\/span> <span class="n">n=1<\/span><span class="teacher">teacher 40\.00<\/span>/
        )
        expect(cpu).toContain("protocol cpu: epochs")
        expect(cpu).toContain("encoder tiny (paper: mBERT)")
        expect(cpu).toContain("D_TGT is DeepL MT with awesome-align label projection")
        expect(cpu).toContain("D_TGT is a word-by-word MUSE dictionary translation into de")
        // each other translation source has a Table 3 of its own, `en` shared with them
        const dictionary = cpu.slice(
          cpu.indexOf(
            "Table 3: test F1 (%) by target language (CoNLL es/nl/de, WikiAnn ar/hi/zh) — translations: dictionary"
          )
        )
        expect(dictionary.slice(0, dictionary.indexOf("</table>"))).toMatch(/33\.00[\s\S]*31\.00/)
        expect(cpu).toContain("— translations: deepl-awesome</caption>")
        expect(count(cpu, /<table class="paper-table"/g)).toBe(4)
        // `en` uses no translations, so its footnote does not name them
        const enCell = tableOf(page, 1, "table5")!.match(/33\.00[\s\S]*?<sup class="dev" title="([^"]*)"/)!
        expect(enCell[1]).not.toContain("translations")
        // the hostile run sits in the other-runs table
        expect(cpu).toMatch(/<table class="rows-table">[\s\S]*&#60;script&#62;/)
        // the paper tables' rows with a baseline get their paired differences in a table of their own
        const differences = cpu.slice(cpu.indexOf('<table class="differences-table">'))
        const diffRows = [
          ...differences.slice(0, differences.indexOf("</table>")).matchAll(/<tr>(<td>.*?)<\/tr>/g)
        ].map((m) => m[1])
        expect(diffRows).toEqual([
          "<td>conll</td><td>500</td><td>concner</td><td>deepl-awesome</td><td>de</td><td>+12.00 (1, no se)</td><td></td>",
          "<td>conll</td><td>500</td><td>concner</td><td>dictionary</td><td>de</td><td>-2.00 (1, no se)</td><td></td>"
        ])
        expect(paper).not.toContain("differences-table") // `en` alone: nothing to compare

        // charts: paper section: bars(500) + curves(en); cpu: bars(500) + 27-language(1000) + curves of
        // concner on each of its two translation sources
        expect(count(page, /<svg[\s>]/g)).toBe(6)
        expect(count(page, /<figure class="chart">/g)).toBe(6)
        expect(cpu).toContain("concner [dictionary]: conll, 500 English sentences")
        expect(paper).toContain("Learning curves")
        expect(cpu).toContain("WikiAnn: test F1 in 1 more languages, 1000 English sentences")

        // the representation figure found under DIR, as an image (its SVG is not counted above)
        expect(page).toMatch(/<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="visualize.svg">/)

        // provenance from run.json and spec.json
        const record = Schema.decodeUnknownSync(Schema.parseJson(RunRecord))(
          yield* fs.readFileString(path.join(dir, "run-0", "run.json"))
        )
        const sha = createHash("sha256")
          .update(yield* fs.readFileString(dataFile))
          .digest("hex")
        // hashes shortened to 12 digits, the whole value on hover; the provenance collapsed
        const short = (hash: string) => `<code title="${hash}">${hash.slice(0, 12)}</code>`
        expect(page).toContain(short(record.specSha256))
        expect(page).not.toContain("mismatch")
        // the data file as run.json records it: relative to the data root, no path of this machine
        expect(page).toContain(`${path.basename(dataFile)}: ${short(sha)}`)
        expect(page).not.toContain(root)
        expect(page).toContain(`${short(record.commit.sha)} (${record.commit.source}`)
        expect(page).toMatch(/<details class="provenance-section"><summary>/)
        expect(count(page, /<td>cpu \(1 thread\)<\/td>/g)).toBe(sampleRuns.length) // backend, threads
        expect(page).toContain("no metrics.jsonl") // the runs written without a curve say so
      }).pipe(Effect.provide(NodeContext.layer)),
    60_000
  )

  it("names the kernels and threads a run.json records beside its backend", () => {
    const record = (backend: string, numerics?: Numerics) =>
      RunRecord.make({
        specSha256: "0".repeat(64),
        dataFiles: [],
        package: { name: "concner", version: "0.1.0" },
        commit: CommitInfo.make({ sha: "unknown", source: "unknown" }),
        backend,
        ...(numerics === undefined ? {} : { numerics }),
        node: "v20",
        platform: "linux-x64",
        createdAt: "2026-11-27T00:00:00.000Z"
      })
    expect(backendText(record("wasm"))).toBe("wasm") // made before numerics were recorded
    expect(
      backendText(record("wasm", Numerics.make({ simd: true, threads: 1, native: true, blasThreads: 2 })))
    ).toBe("wasm (1 thread, SIMD, native kernels, 2 BLAS threads)")
    const blas = "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64"
    expect(
      backendText(
        record("wasm", Numerics.make({ simd: true, threads: 1, native: true, blasThreads: 1, blas }))
      )
    ).toBe("wasm (1 thread, SIMD, native kernels (OpenBLAS SkylakeX), 1 BLAS thread)")
    expect(
      backendText(
        record("tensorflow", Numerics.make({ simd: null, threads: null, native: false, blasThreads: null }))
      )
    ).toBe("tensorflow")
  })

  it("says where a dirty checkout differed from its commit, where the record says", () => {
    const sha = "a".repeat(40)
    expect(commitState(CommitInfo.make({ sha, source: "git", dirty: false }))).toBe("git")
    expect(commitState(CommitInfo.make({ sha, source: "git", dirty: true }))).toBe("git, dirty")
    expect(
      commitState(CommitInfo.make({ sha, source: "git", dirty: true, changed: ["README.md", "src/a.ts"] }))
    ).toBe("git, dirty: README.md, src/a.ts")
    expect(commitState(CommitInfo.make({ sha: "unknown", source: "unknown" }))).toBe("unknown")
  })

  it.scoped("marks a spec.json whose hash does not match its content", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const { root, dir } = yield* sampleFolder(sampleRuns.slice(0, 1))
      const specFile = path.join(dir, "run-0", "spec.json")
      const spec = JSON.parse(yield* fs.readFileString(specFile))
      spec.spec.seed = 99
      yield* fs.writeFileString(specFile, JSON.stringify(spec))
      const found = yield* collectResults(dir)
      const page = yield* writeHtmlReport({ dir, found, figureFiles: [], out: path.join(root, "r.html") })
      expect(page).toMatch(/mismatch: spec\.json&#39;s content hashes to [0-9a-f]{64}/)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("an empty folder gives a page saying so", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const page = yield* writeHtmlReport({ dir, found: [], figureFiles: [], out: path.join(dir, "r.html") })
      expect(page).toContain("No result.json found.")
      expect(count(page, /<svg/g)).toBe(0)
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.scoped("a named figure without an <svg> is refused with its path", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const file = path.join(dir, "fig.html")
      yield* fs.writeFileString(file, "<html><body>no figure</body></html>")
      const exit = yield* Effect.exit(readFigure(file))
      expect(exit).toStrictEqual(Exit.fail(new FigureInvalid({ file, reason: "holds no <svg> element" })))
    }).pipe(Effect.provide(NodeContext.layer))
  )
})
