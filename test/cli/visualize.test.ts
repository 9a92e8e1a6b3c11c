import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { sampleFolder, sampleRuns } from "../report/syntheticRuns.js"
import { concner } from "../support/cli.js"

describe("concner visualize", () => {
  it.scoped(
    "--svg FILE and --html FILE write the figure as SVG and as a page; --out, the old spelling, picks one by extension",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const { root, dir } = yield* sampleFolder(sampleRuns)
        const svg = path.join(root, "figs", "f1.svg")
        const html = path.join(root, "figs", "f1.html")
        const both = yield* concner(["visualize", "--results", dir, "--svg", svg, "--html", html])
        expect(both.stderr).toBe(`wrote ${svg}\nwrote ${html}\n`)
        expect(both.status).toBe(0)
        expect((yield* fs.readFileString(svg)).startsWith("<svg")).toBe(true)
        expect(yield* fs.readFileString(html)).toMatch(/^<!doctype html>[\s\S]*<svg/)
        // --html alone writes no SVG
        const page = path.join(root, "page.html")
        expect((yield* concner(["visualize", "--results", dir, "--html", page])).stderr).toBe(
          `wrote ${page}\n`
        )
        for (const [file, start] of [
          [path.join(root, "old.html"), "<!doctype html>"],
          [path.join(root, "old.svg"), "<svg"]
        ] as const) {
          const old = yield* concner(["visualize", "--results", dir, `--out=${file}`])
          expect(old.stderr).toBe(`wrote ${file}\n`)
          expect((yield* fs.readFileString(file)).startsWith(start)).toBe(true)
        }
      }).pipe(Effect.provide(NodeContext.layer)),
    120_000
  )
})
