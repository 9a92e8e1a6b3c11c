/**
 * The page `concner report DIR --html FILE` writes, opened in a real browser (Debian's headless
 * chromium): the DOM it builds has the tables and the SVG charts, the hostile names stay text, and
 * the browser logs no script error. Skipped, saying so, where chromium is not installed.
 */
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { svgPage } from "../../src/report/svg.js"
import { concner } from "../support/cli.js"
import { HOSTILE_LANG, sampleFolder, sampleRuns } from "./syntheticRuns.js"

// CONCNER_CHROMIUM names the browser binary (a missing one shows the skip); else chromium on PATH
const candidates = process.env.CONCNER_CHROMIUM
  ? [process.env.CONCNER_CHROMIUM]
  : ["chromium", "chromium-browser"]
const chromium = candidates.find((bin) => spawnSync(bin, ["--version"], { encoding: "utf8" }).status === 0)
if (chromium === undefined)
  console.warn(
    `test/report/browser.test.ts skipped: no ${candidates.join(" or ")} found (Debian: apt-get install chromium)`
  )

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length

describe.skipIf(chromium === undefined)("HTML report in headless chromium", () => {
  it.scoped(
    "renders the tables and SVG charts with no script error",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const { root, dir } = yield* sampleFolder(sampleRuns)
        const out = path.join(root, "report.html")
        // a figure outside DIR, as `concner visualize --html FILE` writes it
        const figure = path.join(root, "tokens.html")
        yield* fs.writeFileString(
          figure,
          svgPage(yield* fs.readFileString(path.join(dir, "visualize.svg")), "tokens")
        )
        const cli = yield* concner(["report", dir, "--html", out, "--figure", figure])
        expect(cli.stderr).toBe(`wrote ${out}\n`)
        expect(cli.status).toBe(0)
        // the Markdown, aligned (padding squeezed here)
        expect(cli.stdout.replace(/ {2,}/g, " ")).toContain("| 500 | en | de | 61.00 ± 1.41 | 2 |")
        const written = yield* fs.readFileString(out)

        const browser = spawnSync(
          chromium!,
          [
            "--headless",
            "--disable-gpu",
            ...(process.getuid?.() === 0 ? ["--no-sandbox"] : []),
            "--enable-logging=stderr",
            "--v=0",
            `--user-data-dir=${path.join(root, "chromium-profile")}`,
            "--dump-dom",
            `file://${out}`
          ],
          { encoding: "utf8", timeout: 60_000 }
        )
        expect(browser.status).toBe(0)
        const dom = browser.stdout
        // console messages (script errors among them) are logged as `:CONSOLE` lines
        expect(browser.stderr.split("\n").filter((l) => /:CONSOLE|Uncaught/.test(l))).toEqual([])
        expect(count(dom, /<script/gi)).toBe(0)
        // the parsed DOM keeps every table and chart the file holds
        expect(count(dom, /<table /g)).toBe(count(written, /<table /g))
        expect(count(dom, /<table class="paper-table"/g)).toBe(6)
        expect(count(dom, /<svg[\s>]/g)).toBe(6)
        expect(count(dom, /<figure class="chart">\s*<svg/g)).toBe(6)
        expect(count(dom, /<img src="data:image\/svg\+xml;base64,/g)).toBe(2) // found under DIR, and named
        // the hostile language name is text in a cell, not an element
        const escaped = HOSTILE_LANG.replace(/</g, "&lt;").replace(/>/g, "&gt;")
        expect(dom).toContain(`<td>${escaped}</td>`)
        expect(dom).toContain("paper 59.33")
        expect(dom).toContain('class="cell missing"')
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
