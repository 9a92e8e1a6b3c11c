import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { GridInvalid } from "../../src/experiment/grid.js"
import { expandGrid } from "../../src/experiment/grid.js"
import { decodeGridFile } from "../../src/experiment/gridFile.js"
import { concner } from "../support/cli.js"

const example = {
  methods: ["en", "mulda"],
  langs: ["de"],
  sourceSizes: [64],
  seeds: [1, 2],
  model: "/models/tiny",
  protocol: "cpu",
  overrides: { maxSteps: 16, evalEvery: 8, batchSize: 8 }
}

const decode = (value: unknown) => decodeGridFile(JSON.stringify(value), "/grids/g.json")

const failure = (value: unknown) =>
  Effect.map(Effect.exit(decode(value)), (exit) =>
    Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
  )

describe("JSON grid files", () => {
  it.effect("decode to the grid the TypeScript API would write", () =>
    Effect.gen(function* () {
      const grid = yield* decode(example)
      expect(grid.name).toBe("g")
      expect(grid.targets).toEqual([{ corpus: "conll", lang: "de" }])
      expect(grid.protocol?.name).toBe("cpu")
      expect(grid.protocol?.maxSteps).toBe(16)
      expect(grid.protocol?.evalEvery).toBe(8)
      expect(grid.protocol?.lr).toBe(2e-4) // the cpu protocol's, not overridden
      const cells = yield* expandGrid(grid, { out: "/runs" })
      expect(cells.map((c) => `${c.method} ${c.seed}`)).toEqual(["en 1", "mulda 1", "en 2", "mulda 2"]) // seed-major
      expect(cells.every((c) => c._tag === "Runnable" && c.spec.model === "/models/tiny")).toBe(true)
    })
  )

  it.effect("resolve a relative model against the file's folder", () =>
    Effect.gen(function* () {
      expect((yield* decode({ ...example, model: "../models/m" })).model).toBe("/models/m")
    })
  )

  it.effect("carry tags for their cells' run.json", () =>
    Effect.gen(function* () {
      expect((yield* decode({ ...example, tags: ["sweep", "cpu"] })).tags).toEqual(["sweep", "cpu"])
      expect((yield* decode(example)).tags).toBeUndefined()
      expect(yield* failure({ ...example, tags: [""] })).toBeInstanceOf(GridInvalid)
    })
  )

  it.effect("an unknown method, language, field or override fails naming it", () =>
    Effect.gen(function* () {
      const method = yield* failure({ ...example, methods: ["en", "mulda2"] })
      expect(method).toBeInstanceOf(GridInvalid)
      expect(method?.message).toMatch(/^\/grids\/g\.json: methods\.1: unknown method "mulda2" \(known: en, /)
      expect((yield* failure({ ...example, langs: ["de", "xx"] }))?.message).toBe(
        '/grids/g.json: langs.1: unknown conll target language "xx" (known: de, es, nl)'
      )
      expect((yield* failure({ ...example, corpus: "wikiann", langs: ["ar", "es"] }))?.message).toMatch(
        /^\/grids\/g\.json: langs\.1: unknown wikiann target language "es"/
      )
      expect((yield* failure({ ...example, sourceSize: [64] }))?.message).toMatch(/sourceSize: is unexpected/)
      expect((yield* failure({ ...example, overrides: { maxStep: 3 } }))?.message).toMatch(
        /overrides\.maxStep: is unexpected/
      )
      expect((yield* failure({ ...example, overrides: { lr: -1 } }))?.message).toMatch(/overrides\.lr/)
      expect((yield* failure({ ...example, seeds: [] }))?.message).toMatch(/seeds/)
    })
  )

  it("`concner run` on a bad grid file exits non-zero before anything runs", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "concner-gridfile-"))
    try {
      const file = path.join(dir, "bad.json")
      writeFileSync(file, JSON.stringify({ ...example, langs: ["de", "klingon"] }))
      const out = path.join(dir, "out")
      const run = await Effect.runPromise(
        concner(["run", file, "--out", out, "--data", dir], { limitMs: 60_000 })
      )
      expect(run.status).not.toBe(0)
      expect(run.stderr).toContain(`${file}: langs.1: unknown conll target language "klingon"`)
      expect(existsSync(out)).toBe(false)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
