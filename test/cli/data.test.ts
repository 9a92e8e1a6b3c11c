import { execFile } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { Command } from "@effect/cli"
import { NodeContext } from "@effect/platform-node"
import { afterAll, describe, expect, it, vi } from "@effect/vitest"
import { Effect } from "effect"
import { dataCommand, formatTable } from "../../src/cli/data.js"

const run = promisify(execFile)
const bin = path.resolve("bin/concner.js")

const root = mkdtempSync(path.join(tmpdir(), "concner-data-"))
const write = (file: string, text: string) => {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
  writeFileSync(path.join(root, file), text)
}
write("conll/en/train.txt", "EU B-ORG\nrejects O\nGerman B-MISC\n\nPeter B-PER\nBlackburn I-PER\n\n")
write("conll/en/train.doc_ids", "0\n1\n")
write("wikiann/zh/dev.txt", "a O\nb I-LOC\n\n")
write("translations/conll2003-en-train/deepl-awesome/de/train.txt", "EU B-ORG\nlehnt O\n\nPeter B-PER\n\n")
write("translations/conll2003-en-train/deepl-awesome/de/train.src_idx", "0\n1\n")
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe("concner data stats", () => {
  it.effect("prints the JSON contract, one row per dataset present", () =>
    Effect.gen(function* () {
      const log = vi.spyOn(console, "log").mockImplementation(() => {})
      yield* Command.run(dataCommand, { name: "data", version: "test" })([
        "node",
        "data",
        "stats",
        "--data",
        root,
        "--json"
      ])
      const printed = log.mock.calls.map((args) => args.join(" ")).join("\n")
      log.mockRestore()
      expect(JSON.parse(printed)).toStrictEqual({
        datasets: [
          {
            corpus: "conll",
            lang: "en",
            split: "train",
            sentences: 2,
            tokens: 5,
            entities: 3,
            byType: { PER: 1, ORG: 1, MISC: 1 },
            invalidI: 0,
            documents: 2
          },
          {
            corpus: "wikiann",
            lang: "zh",
            split: "dev",
            sentences: 1,
            tokens: 2,
            entities: 0,
            byType: {},
            invalidI: 1
          },
          {
            corpus: "translations/deepl-awesome",
            lang: "de",
            split: "train",
            sentences: 2,
            tokens: 3,
            entities: 2,
            byType: { PER: 1, ORG: 1 },
            invalidI: 0,
            aligned: 2,
            sameTypes: 1,
            placeholders: 0
          }
        ]
      })
    }).pipe(Effect.provide(NodeContext.layer))
  )

  it.effect("a folder without any dataset is an error naming the layout, not an empty table", () =>
    Effect.gen(function* () {
      const empty = mkdtempSync(path.join(tmpdir(), "concner-nodata-"))
      const error = yield* Effect.flip(
        Command.run(dataCommand, { name: "data", version: "test" })([
          "node",
          "data",
          "stats",
          "--data",
          empty
        ])
      )
      rmSync(empty, { recursive: true })
      expect(error).toMatchObject({ _tag: "NoDatasets", root: empty })
      expect(String((error as { message?: unknown }).message)).toMatch(
        /^no dataset in .*conll\/\{en,de,es,nl\}\/\{train,dev,test\}\.txt.*--data or CONCNER_DATA/
      )
    }).pipe(Effect.provide(NodeContext.layer))
  )

  // end to end through bin/concner.js; slow to start on a loaded machine
  it("fails with file:line on stderr for a malformed file", async () => {
    write("wikiann/ja/test.txt", "a O\nb\n")
    const error = await run("node", [bin, "data", "stats", "--data", root]).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e
    )
    rmSync(path.join(root, "wikiann/ja/test.txt"))
    expect(error?.code).not.toBe(0)
    expect(error?.stderr).toContain(`${path.join(root, "wikiann/ja/test.txt")}:2: expected 2 or more columns`)
  }, 300_000)

  it("aligns the text table", () => {
    const table = formatTable([
      {
        corpus: "conll",
        lang: "en",
        split: "train",
        sentences: 14041,
        tokens: 5,
        entities: 3,
        byType: { PER: 3 },
        invalidI: 0
      }
    ]).split("\n")
    expect(table).toHaveLength(2)
    expect(table[0]!.length).toBe(table[1]!.length)
    expect(table[1]).toMatch(/^conll +en +train +14041 +5 +3 +3 +0 +- +- +- +-$/)
  })
})
