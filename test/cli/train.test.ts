import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { Command } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { describe, expect, it, vi } from "@effect/vitest"
import { Effect } from "effect"
import { trainCommand } from "../../src/cli/train.js"
import { TranslationSourceInvalid } from "../../src/experiment/translations.js"
import { dataRoot, hasData } from "../support/data.js"
import { makeTinyRunModel, runLayer } from "../support/runs.js"

const train = (args: ReadonlyArray<string>) =>
  Command.run(trainCommand, { name: "train", version: "test" })(["node", "train", ...args])

describe("concner train --translations", () => {
  it.effect("refuses a source outside the syntax, naming it", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        train([
          "--method",
          "mulda",
          "--lang",
          "de",
          "--source-size",
          "8",
          "--model",
          ".",
          "--out",
          "/nonexistent/run",
          "--translations",
          "engine:google"
        ])
      )
      expect(error).toStrictEqual(new TranslationSourceInvalid({ text: "engine:google" }))
    }).pipe(Effect.provide(runLayer("cpu")))
  )
})

describe.skipIf(!hasData)("concner train --translations engine:dictionary on real data", () => {
  it.scoped(
    "translates the sample with MUSE, trains on it (cpu backend) and records the translation",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const model = yield* makeTinyRunModel(dir)
        const run = path.join(dir, "run")
        const log = vi.spyOn(console, "log").mockImplementation(() => {})
        yield* train([
          "--method",
          "mulda",
          "--lang",
          "de",
          "--source-size",
          "16",
          "--seed",
          "1",
          "--model",
          model,
          "--out",
          run,
          "--protocol",
          "cpu",
          "--max-steps",
          "2",
          "--eval-every",
          "2",
          "--batch-size",
          "8",
          "--max-length",
          "32",
          "--dev-sentences",
          "40",
          "--test-sentences",
          "60",
          "--translations",
          "engine:dictionary",
          "--backend",
          "cpu",
          "--data",
          dataRoot
        ]).pipe(Effect.ensuring(Effect.sync(() => log.mockRestore())))
        const read = (file: string) => Effect.map(fs.readFileString(path.join(run, file)), JSON.parse)
        const result = yield* read("result.json")
        expect(result).toMatchObject({
          method: "mulda",
          lang: "de",
          steps: 2,
          missingTranslations: 0,
          testSentences: 60
        })
        expect(result.translations).toEqual({ engine: "dictionary" })
        expect((yield* read("spec.json")).spec.translations).toEqual({ engine: "dictionary" })
        const dictionary = path.join(dataRoot, "dictionaries/muse/en-de.txt")
        const sha256 = createHash("sha256").update(readFileSync(dictionary)).digest("hex")
        const recorded = (yield* read("run.json")).dataFiles.find(
          (f: { path: string }) => f.path === dictionary
        )
        expect(recorded?.sha256).toBe(sha256)
        const translation = yield* read("translation.json")
        expect(translation).toMatchObject({
          source: "engine:dictionary",
          engine: "dictionary:muse",
          dictionary: { path: dictionary, sha256 },
          report: { sentences: 16, kept: 16, dropped: 0, from: "en", to: "de" },
          dropped: []
        })
        expect(translation.report.coverage).toBeGreaterThan(0)
      }).pipe(Effect.provide(runLayer("cpu"))),
    600_000
  )
})
