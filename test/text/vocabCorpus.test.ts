import { existsSync } from "node:fs"
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Either, Exit, Layer, FastCheck as fc } from "effect"
import { Corpora } from "../../src/data/Corpora.js"
import { ConllFormatError, UnknownDatasetError } from "../../src/data/errors.js"
import { Vocab } from "../../src/text/vocab.js"
import {
  TestSplitRefused,
  detectFormat,
  drawCounts,
  parseCorpusSource,
  readSources,
  smoothedDraws,
  weightedTexts
} from "../../src/text/vocabCorpus.js"
import { trainWordPiece } from "../../src/text/vocabTrain.js"
import { countWords } from "../../src/text/wordCounts.js"
import { wordPiece } from "../../src/text/wordpiece.js"
import { numRuns, seed } from "./fixture.js"

describe("parseCorpusSource", () => {
  it("reads dataset names and gives each its language as group", () => {
    expect(parseCorpusSource("conll/en/train")).toStrictEqual(
      Either.right({
        _tag: "Corpus",
        spec: "conll/en/train",
        group: "en",
        id: { corpus: "conll", lang: "en", split: "train" }
      })
    )
    expect(parseCorpusSource("translations/mulda/de")).toStrictEqual(
      Either.right({
        _tag: "Translation",
        spec: "translations/mulda/de",
        group: "de",
        id: { system: "mulda", lang: "de" }
      })
    )
    expect(parseCorpusSource("./conll/en/train")).toStrictEqual(
      Either.right({
        _tag: "File",
        spec: "./conll/en/train",
        group: "file:./conll/en/train",
        file: "./conll/en/train"
      })
    )
  })

  it("refuses every test split, named or as a file", () => {
    for (const spec of [
      "conll/en/test",
      "wikiann/de/test",
      "data/test.txt",
      "eng.testb",
      "x/de.conll.test.tsv"
    ]) {
      const parsed = parseCorpusSource(spec)
      expect(Either.isLeft(parsed) && parsed.left._tag).toBe("TestSplitRefused")
    }
    expect(parseCorpusSource("wikiann/de/test")).toStrictEqual(
      Either.left(new TestSplitRefused({ source: "wikiann/de/test", reason: "a test split" }))
    )
    // CoNLL's testa is the dev split; "contest" is not "test"
    for (const spec of ["eng.testa", "contest.txt", "conll/en/dev"])
      expect(Either.isRight(parseCorpusSource(spec))).toBe(true)
  })

  it("names an unknown dataset", () => {
    expect(parseCorpusSource("wikiann/xx/train")).toStrictEqual(
      Either.left(
        new UnknownDatasetError({ dataset: "wikiann/xx/train", reason: expect.any(String) as string })
      )
    )
  })
})

describe("detectFormat", () => {
  it("reads CoNLL from a first line `token … tag`, anything else as raw text", () => {
    expect(detectFormat("\n-DOCSTART- -X- O\n\nEU NNP B-ORG\nrejects VBZ O\n")).toBe("conll")
    expect(detectFormat("EU B-ORG\n")).toBe("conll")
    expect(detectFormat("The EU rejects German calls.\n")).toBe("text")
    expect(detectFormat("Hello\n")).toBe("text")
    expect(detectFormat("")).toBe("text")
  })
})

describe("language-balanced sampling", () => {
  it("keeps the corpus with α = 1 and lifts small languages with α < 1", () => {
    expect(smoothedDraws([900, 100], 1)).toEqual([900, 100])
    // p = 0.9, 0.1; p^0.5 = 0.9487, 0.3162; shares 0.75, 0.25 of 1000
    expect(smoothedDraws([900, 100], 0.5)).toEqual([750, 250])
  })

  it.prop(
    "draws each sentence ⌊d/n⌋ or ⌈d/n⌉ times, d in all, the same for the same seed",
    [fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 200 }), fc.integer()],
    ([n, draws, s]) => {
      const counts = drawCounts(n, draws, s)
      expect(counts.reduce((a, b) => a + b, 0)).toBe(draws)
      for (const c of counts) expect(c === Math.floor(draws / n) || c === Math.ceil(draws / n)).toBe(true)
      expect(drawCounts(n, draws, s)).toEqual(counts)
    },
    { fastCheck: { numRuns, seed } }
  )

  it("pools the sources of one language and weights their texts", () => {
    const source = (group: string, sentences: Array<Array<string>>) => ({
      source: { _tag: "File" as const, spec: group, group, file: group },
      format: "text" as const,
      sentences
    })
    const sources = [source("big", [["a"], ["b"], ["c"]]), source("small", [["z"]])]
    expect([...weightedTexts(sources)]).toEqual([
      ["a", 1],
      ["b", 1],
      ["c", 1],
      ["z", 1]
    ])
    // α = 0.01: shares 0.75^α, 0.25^α normalised ≈ 0.503, 0.497 of 4 draws → 2 each, so the one
    // "small" sentence is drawn twice and two of the three "big" ones once
    const balanced = [...weightedTexts(sources, { alpha: 0.01, seed: 1 })]
    expect(balanced.filter(([t]) => t === "z")).toEqual([["z", 2]])
    expect(balanced.reduce((sum, [, w]) => sum + w, 0)).toBe(4)
  })
})

const withFiles = <A, E, R>(files: Record<string, string>, use: (dir: string) => Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped()
    for (const [file, text] of Object.entries(files)) yield* fs.writeFileString(path.join(dir, file), text)
    return yield* use(dir)
  })

layer(NodeContext.layer)("readSources", (it) => {
  const corpora = (dir: string) => Corpora.at(dir)

  it.scoped("reads CoNLL and raw-text files, detecting which is which", () =>
    withFiles(
      { "a.conll": "EU B-ORG\nrejects O\n\nPeter B-PER\n", "b.txt": "Ein Satz.\n\nNoch einer\n" },
      (dir) =>
        Effect.gen(function* () {
          const read = yield* readSources([path.join(dir, "a.conll"), path.join(dir, "b.txt")], "auto")
          expect(read.map((s) => [s.format, s.sentences])).toEqual([
            ["conll", [["EU", "rejects"], ["Peter"]]],
            ["text", [["Ein Satz."], ["Noch einer"]]]
          ])
        }).pipe(Effect.provide(corpora(dir)))
    )
  )

  it.scoped("fails on a malformed CoNLL line with its file and line", () =>
    withFiles({ "bad.conll": "EU B-ORG\nrejects\n" }, (dir) =>
      Effect.gen(function* () {
        const file = path.join(dir, "bad.conll")
        const error = yield* Effect.flip(readSources([file], "conll"))
        expect(error).toBeInstanceOf(ConllFormatError)
        expect(error.message).toMatch(new RegExp(`^${file}:2: `))
      }).pipe(Effect.provide(corpora(dir)))
    )
  )

  it.scoped("refuses a test split before reading anything", () =>
    withFiles({}, (dir) =>
      Effect.gen(function* () {
        // conll/en/train is absent under dir: the refusal must come first
        const exit = yield* Effect.exit(readSources(["conll/en/train", "wikiann/de/test"], "auto"))
        expect(exit).toStrictEqual(
          Exit.fail(new TestSplitRefused({ source: "wikiann/de/test", reason: "a test split" }))
        )
      }).pipe(Effect.provide(corpora(dir)))
    )
  )
})

const root = process.env.CONCNER_DATA ?? new URL("../../../shared/data", import.meta.url).pathname
const present = existsSync(`${root}/wikiann/yo/train.txt`) && existsSync(`${root}/wikiann/my/train.txt`)
if (!present) console.log(`test/text/vocabCorpus: real-data test skipped, ${root} lacks wikiann yo/my`)

describe.skipIf(!present)("a vocabulary from real WikiAnn text", () => {
  it.effect("spells every word of yo and my train with its own characters, without [UNK]", () =>
    Effect.gen(function* () {
      const sources = yield* readSources(["wikiann/yo/train", "wikiann/my/train", "wikiann/my/dev"], "auto")
      const words = countWords(weightedTexts(sources, { alpha: 0.7, seed: 0 }))
      const trained = yield* trainWordPiece(words, { size: 600 })
      const vocab = yield* Vocab.make(trained.tokens, "v.txt")
      const kept = new Set(trained.alphabet.kept)
      let unknown = 0
      for (const w of words.keys())
        if ([...w].every((c) => kept.has(c)) && wordPiece([...w], vocab)._tag === "Unknown") unknown++
      expect(unknown).toBe(0)
      expect(vocab.size).toBe(600)
    }).pipe(Effect.provide(Layer.merge(Corpora.at(root), NodeContext.layer)))
  )
})
