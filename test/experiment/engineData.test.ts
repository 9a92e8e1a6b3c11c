/** prepareRunData with an engine source, on a data root written here (hermetic: no shared data). */
import { createHash } from "node:crypto"
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, Layer, Schema } from "effect"
import { Corpora } from "../../src/data/Corpora.js"
import { prepareRunData, runDataFiles } from "../../src/experiment/data.js"
import { TranslationsUnavailable } from "../../src/experiment/errors.js"
import { ExperimentSpec } from "../../src/experiment/spec.js"
import { BertTokenizer } from "../../src/text/bertTokenizer.js"
import type { WordEncoding } from "../../src/text/encoding.js"
import { Vocab } from "../../src/text/vocab.js"

// English train sentence i, and what the dictionary below makes of it (entities copied as written)
const english: ReadonlyArray<readonly [string, string]> = [
  ["EU/B-ORG rejects German/B-MISC call .", "EU rechaza German llamada ."],
  ["Peter/B-PER Blackburn/I-PER", "Peter Blackburn"],
  ["the house is red", "el casa es rojo"],
  ["John/B-PER lives in Madrid/B-LOC", "John vive en Madrid"],
  ["a dog", "un perro"],
  ["The cat sleeps", "El gato duerme"],
  ["Spain/B-LOC wins", "Spain gana"],
  ["big house", "grande casa"]
]
// `the` has two translations: the first is taken; `German` has one but is an entity (copied)
const dictionary = [
  "rejects rechaza",
  "call llamada",
  "the el",
  "the la",
  "house casa",
  "is es",
  "red rojo",
  "lives vive",
  "in en",
  "dog perro",
  "a un",
  "cat gato",
  "sleeps duerme",
  "wins gana",
  "big grande",
  "german alemán"
].join("\n")

const conll = (lines: ReadonlyArray<string>) =>
  lines
    .map((l) =>
      l
        .split(" ")
        .map((w) => (w.includes("/") ? w.replace("/", " ") : `${w} O`))
        .join("\n")
    )
    .join("\n\n")
    .concat("\n")

const spanish = ["La/O casa/O", "Juan/B-PER vive/O"]

const writeRoot = Effect.gen(function* () {
  const fs = yield* FileSystem.FileSystem
  const root = yield* fs.makeTempDirectoryScoped()
  const write = (file: string, text: string) =>
    Effect.flatMap(fs.makeDirectory(path.dirname(path.join(root, file)), { recursive: true }), () =>
      fs.writeFileString(path.join(root, file), text)
    )
  const train = conll(english.map(([en]) => en))
  yield* write("conll/en/train.txt", train)
  yield* write("wikiann/en/train.txt", train.replaceAll("MISC", "ORG")) // WikiAnn has no MISC
  yield* write("conll/en/dev.txt", conll(english.slice(0, 3).map(([en]) => en)))
  for (const split of ["train", "test"]) yield* write(`conll/es/${split}.txt`, conll(spanish))
  yield* write("dictionaries/muse/en-es.txt", `${dictionary}\n`)
  return root
})

const words = [...english.flatMap(([en, es]) => [...en.split(" "), ...es.split(" ")]), "La", "Juan"]
const tokenizer = new BertTokenizer(
  Either.getOrThrow(
    Vocab.make(["[PAD]", "[UNK]", "[CLS]", "[SEP]", ...new Set(words.map((w) => w.split("/")[0]!))], "test")
  )
)

const specFor = (fields: { corpus?: string; lang?: string; method?: string }) =>
  Schema.decodeUnknownSync(ExperimentSpec)({
    method: fields.method ?? "mulda",
    lang: fields.lang ?? "es",
    corpus: fields.corpus ?? "conll",
    sourceSize: 6,
    seed: 2,
    model: "/unused",
    translations: { engine: "dictionary" },
    mismatches: "keep",
    protocol: {
      name: "test",
      epochs: 1,
      batchSize: 2,
      maxLength: 32,
      evalEvery: 1,
      lr: 0.001,
      weightDecay: 0,
      warmupRatio: 0,
      kdEpochs: 1,
      evalBatchSize: 2
    }
  })

const onRoot = <A, E>(
  use: (root: string) => Effect.Effect<A, E, Corpora | FileSystem.FileSystem | CommandExecutor>
) =>
  Effect.flatMap(writeRoot, (root) =>
    use(root).pipe(Effect.provide(Layer.merge(Corpora.at(root), NodeContext.layer)))
  ).pipe(Effect.provide(NodeContext.layer))

describe("prepareRunData with the dictionary engine", () => {
  it.scoped("translates the sample into D_TGT paired by source index, tags copied", () =>
    onRoot(() =>
      Effect.gen(function* () {
        const spec = specFor({})
        const data = yield* prepareRunData(spec, tokenizer)
        expect(data.sample).toHaveLength(6)
        expect(data.missingTranslations).toEqual([])
        expect(data.teacherExamples.map((e) => e.index)).toEqual(data.sample)
        for (const example of data.teacherExamples) {
          const [, target] = english[example.index]!
          // [CLS] words [SEP]: every word is in the vocabulary
          expect(example.translation?.tokens.slice(1, -1)).toEqual(target.split(" "))
          const labelsAt = (e: WordEncoding | undefined) => e?.labelPositions.map((p) => e.labels?.[p])
          expect(labelsAt(example.translation)).toEqual(labelsAt(example.source))
        }
        expect(data.truncation.translation?.sentences).toBe(6)
        const record = data.translation!
        expect(record.source).toBe("engine:dictionary")
        expect(record.engine).toBe("dictionary:muse")
        expect(record.report).toMatchObject({ sentences: 6, kept: 6, dropped: 0, from: "en", to: "es" })
        expect(record.dropped).toEqual([])
        const sha = createHash("sha256").update(`${dictionary}\n`).digest("hex")
        expect(record.dictionary).toMatchObject({
          path: "dictionaries/muse/en-es.txt",
          sha256: sha
        })
        expect(runDataFiles(spec)).toContain("dictionaries/muse/en-es.txt")
        expect(data.pairing).toBeUndefined()
      })
    )
  )

  it.scoped("a target without a MUSE dictionary is unavailable, saying why", () =>
    onRoot(() =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(prepareRunData(specFor({ corpus: "wikiann", lang: "sw" }), tokenizer))
        expect(exit).toStrictEqual(
          Exit.fail(
            new TranslationsUnavailable({
              method: "mulda",
              corpus: "wikiann",
              lang: "sw",
              reason:
                "no MUSE dictionary en-sw (MUSE has af, ar, bg, bn, de, el, es, et, fa, fr, he, hi, id, ja, ms, nl, ta, tl, tr, vi, zh)"
            })
          )
        )
      })
    )
  )
})
