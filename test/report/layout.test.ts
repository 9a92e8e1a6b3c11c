/**
 * The report page laid out by a real browser (playwright-core driving Debian's chromium): at a
 * 1,280-px window no element reaches past its right edge (charts scale and wrap their panels, long
 * names break), and the committed Table 5 (cpu) report prints to at most 8 pages (the provenance
 * is collapsed, so it stays out of print). Skipped, saying so, where chromium is not installed.
 */
import { existsSync } from "node:fs"
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type Browser, chromium } from "playwright-core"
import { writeHtmlReport } from "../../src/report/html.js"
import { collectResults } from "../../src/report/summary.js"
import { sampleFolder, sampleRuns } from "./syntheticRuns.js"

// CONCNER_CHROMIUM names the browser binary; else Debian's
const executablePath = process.env.CONCNER_CHROMIUM ?? "/usr/bin/chromium"
const present = existsSync(executablePath)
if (!present)
  console.warn(
    `test/report/layout.test.ts skipped: no chromium at ${executablePath} (Debian: apt-get install chromium; or set CONCNER_CHROMIUM)`
  )

const COMMITTED = path.resolve("results/table5-cpu/report.html")

/** The browser for one test, closed with its scope. */
const browser = Effect.acquireRelease(
  Effect.promise(() =>
    chromium.launch({ executablePath, args: process.getuid?.() === 0 ? ["--no-sandbox"] : [] })
  ),
  (b: Browser) => Effect.promise(() => b.close())
)

/** Elements whose right edge is past the window's, as `tag.class right-edge`. */
const overflowing = (b: Browser, file: string) =>
  Effect.promise(async () => {
    const page = await b.newPage({ viewport: { width: 1280, height: 900 } })
    await page.goto(`file://${file}`)
    // measured in the page (a string: this project's TypeScript has no DOM types)
    const wide = await page.evaluate<
      Array<string>
    >(`[...document.querySelectorAll("body *")].flatMap((el) => {
      const r = el.getBoundingClientRect()
      const name = el.tagName.toLowerCase() + "." + (el.getAttribute("class") ?? "")
      return r.width > 0 && r.right > window.innerWidth + 0.5 ? [name + " " + Math.round(r.right)] : []
    })`)
    await page.close()
    return wide
  })

describe.skipIf(!present)("report page in chromium", () => {
  it.scoped(
    "at 1,280 px no element of the sample report reaches past the window",
    () =>
      Effect.gen(function* () {
        const { root, dir } = yield* sampleFolder(sampleRuns)
        const out = path.join(root, "report.html")
        yield* writeHtmlReport({ dir, found: yield* collectResults(dir), figureFiles: [], out })
        expect(yield* overflowing(yield* browser, out)).toEqual([])
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )

  it.scoped(
    "the committed Table 5 (cpu) report fits 1,280 px and prints to at most 8 pages",
    () =>
      Effect.gen(function* () {
        const b = yield* browser
        expect(yield* overflowing(b, COMMITTED)).toEqual([])
        const pdf = yield* Effect.promise(async () => {
          const page = await b.newPage()
          await page.goto(`file://${COMMITTED}`)
          const bytes = await page.pdf({ format: "A4", printBackground: true })
          await page.close()
          return bytes
        })
        // each page is one `/Type /Page` object (the tree's root is `/Type /Pages`)
        const pages = (
          Buffer.from(pdf)
            .toString("latin1")
            .match(/\/Type\s*\/Page(?!s)/g) ?? []
        ).length
        expect(pages).toBeGreaterThan(0)
        expect(pages).toBeLessThanOrEqual(8)
        const fs = yield* FileSystem.FileSystem
        // the provenance is in the file, collapsed
        expect(yield* fs.readFileString(COMMITTED)).toContain('<details class="provenance-section">')
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
