import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { ConfigProvider, Effect, Exit } from "effect"
import { Corpora } from "../../src/data/Corpora.js"
import {
  ConllTagError,
  DataRootMissing,
  IndexFileError,
  SampleSizeError,
  UnknownDatasetError
} from "../../src/data/errors.js"
import { sampleIndices } from "../../src/data/sampling.js"

const english = "-DOCSTART- O\n\nEU B-ORG\nrejects O\n\nPeter B-PER\n\n-DOCSTART- O\n\nBRUSSELS B-LOC\n\n"
const files: Record<string, string> = {
  "conll/en/train.txt": english,
  "conll/en/train.doc_ids": "0\n0\n1\n",
  "conll/es/dev.txt": "Madrid B-LOC\n\nla O\n",
  "conll/nl/test.txt": "De O\n\nx O\n",
  "conll/nl/test.doc_ids": "0\n",
  "wikiann/zh/test.txt": "a B-PER\n\nb O\nc I-PER\n",
  "wikiann/ja/dev.txt": "a X-PER\n",
  "translations/conll2003-en-train/mulda/de/train.txt":
    "EU B-ORG\nlehnt O\n\nBRÜSSEL B-LOC\n\nPeter B-PER\nB. B-PER\n\n",
  "translations/conll2003-en-train/mulda/de/train.src_idx": "0\n2\n1\n",
  "translations/conll2003-en-train/mulda/de/train.doc_ids": "0\n1\n0\n",
  "translations/conll2003-en-train/mulda/es/train.txt": "EU B-ORG\n\n",
  "translations/conll2003-en-train/mulda/es/train.src_idx": "zero\n"
}

/** A data root in a scoped temp dir, and Corpora over it. */
const withCorpora = <A, E>(use: (corpora: Corpora, root: string) => Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const root = yield* fs.makeTempDirectoryScoped()
    for (const [file, text] of Object.entries(files)) {
      yield* fs.makeDirectory(path.dirname(path.join(root, file)), { recursive: true })
      yield* fs.writeFileString(path.join(root, file), text)
    }
    return yield* Effect.flatMap(Corpora, (corpora) => use(corpora, root)).pipe(
      Effect.provide(Corpora.at(root))
    )
  })

layer(NodeContext.layer)("Corpora", (it) => {
  it.scoped("loads a corpus with its document ids, once", () =>
    withCorpora((corpora, root) =>
      Effect.gen(function* () {
        const corpus = yield* corpora.load({ corpus: "conll", lang: "en", split: "train" })
        expect(corpus.file).toBe(path.join(root, "conll/en/train.txt"))
        expect(corpus.sentences).toStrictEqual([
          { tokens: ["EU", "rejects"], tags: ["B-ORG", "O"], line: 3, doc: 0 },
          { tokens: ["Peter"], tags: ["B-PER"], line: 6, doc: 0 },
          { tokens: ["BRUSSELS"], tags: ["B-LOC"], line: 10, doc: 1 }
        ])
        expect(corpus.documents).toBe(2)
        expect(yield* corpora.load({ corpus: "conll", lang: "en", split: "train" })).toBe(corpus)
        const es = yield* corpora.load({ corpus: "conll", lang: "es", split: "dev" })
        expect(es.sentences.map((s) => s.doc)).toStrictEqual([undefined, undefined])
        expect("documents" in es).toBe(false)
      })
    )
  )

  it.scoped("lists what is present", () =>
    withCorpora((corpora) =>
      Effect.gen(function* () {
        expect(yield* corpora.list()).toStrictEqual([
          { corpus: "conll", lang: "en", split: "train" },
          { corpus: "conll", lang: "es", split: "dev" },
          { corpus: "conll", lang: "nl", split: "test" },
          { corpus: "wikiann", lang: "zh", split: "test" },
          { corpus: "wikiann", lang: "ja", split: "dev" }
        ])
        expect(yield* corpora.listTranslations()).toStrictEqual([
          { system: "mulda", lang: "de" },
          { system: "mulda", lang: "es" }
        ])
      })
    )
  )

  it.scoped("keeps the per-file report of invalid transitions", () =>
    withCorpora((corpora) =>
      Effect.gen(function* () {
        const zh = yield* corpora.load({ corpus: "wikiann", lang: "zh", split: "test" })
        expect(zh.report.invalidTransitions).toStrictEqual([
          { line: 4, tag: "I-PER", reason: "I-PER does not continue a PER chunk" }
        ])
      })
    )
  )

  it.scoped("fails with typed errors naming file and line", () =>
    withCorpora((corpora, root) =>
      Effect.gen(function* () {
        const load = (corpus: "conll" | "wikiann", lang: string, split: "train" | "dev" | "test") =>
          Effect.exit(corpora.load({ corpus, lang, split }))
        expect(yield* load("wikiann", "ja", "dev")).toStrictEqual(
          Exit.fail(
            new ConllTagError({
              file: path.join(root, "wikiann/ja/dev.txt"),
              line: 1,
              text: "a X-PER",
              reason: 'unknown prefix "X-" (expected B-, I-, E- or S-)'
            })
          )
        )
        expect(yield* load("conll", "nl", "test")).toStrictEqual(
          Exit.fail(
            new IndexFileError({
              file: path.join(root, "conll/nl/test.doc_ids"),
              line: 2,
              text: "",
              reason: "1 lines for 2 sentences"
            })
          )
        )
        // a language the root lacks: the languages it has for that corpus and split
        const missing = yield* Effect.flip(corpora.load({ corpus: "conll", lang: "de", split: "test" }))
        expect(missing).toBeInstanceOf(UnknownDatasetError)
        expect(missing.message).toMatch(
          /^conll\/de\/test: no such data in .* \(conll test languages there: [a-z, ]+\)$/
        )
        const unknown = yield* Effect.flip(corpora.load({ corpus: "wikiann", lang: "xx", split: "test" }))
        expect(unknown).toBeInstanceOf(UnknownDatasetError)
        const badIndex = yield* Effect.flip(corpora.translations({ system: "mulda", lang: "es" }, "keep"))
        expect(badIndex.message).toBe(
          `${path.join(root, "translations/conll2003-en-train/mulda/es/train.src_idx")}:1: expected an integer ≥ -1: "zero"`
        )
      })
    )
  )

  it.scoped("samples deterministically", () =>
    withCorpora((corpora) =>
      Effect.gen(function* () {
        const id = { corpus: "conll", lang: "en", split: "train" } as const
        const sample = yield* corpora.sample(id, 2, "seed")
        const { sentences } = yield* corpora.load(id)
        expect(sample).toStrictEqual(
          sampleIndices(3, 2, "seed").map((index) => ({ index, sentence: sentences[index] }))
        )
        expect(yield* Effect.flip(corpora.sample(id, 4, 1))).toStrictEqual(
          new SampleSizeError({ dataset: "conll/en/train", k: 4, available: 3 })
        )
      })
    )
  )

  it.scoped("pairs a translation set with English train", () =>
    withCorpora((corpora) =>
      Effect.gen(function* () {
        const set = yield* corpora.translations({ system: "mulda", lang: "de" }, "drop")
        const english = (yield* corpora.load({ corpus: "conll", lang: "en", split: "train" })).sentences
        expect(set.sentences.map((s) => s.doc)).toStrictEqual([0, 1, 0])
        expect(
          set.pairs.map((p) => [p.index, p.source === english[p.index], p.target.tokens[0]])
        ).toStrictEqual([
          [0, true, "EU"],
          [2, true, "BRÜSSEL"]
        ])
        expect([
          set.report.aligned,
          set.report.sameTypes,
          set.report.typeMismatches,
          set.report.kept
        ]).toStrictEqual([3, 2, 1, 2])
      })
    )
  )
})

layer(NodeContext.layer)("Corpora without a data root", (it) => {
  it.effect("fails to list a root that does not exist", () =>
    Effect.gen(function* () {
      const root = path.resolve("no/such/data/root")
      const error = yield* Effect.flip(
        Effect.flatMap(Corpora, (c) => c.list()).pipe(Effect.provide(Corpora.at(root)))
      )
      expect(error).toStrictEqual(new DataRootMissing({ root }))
      expect(error.message).toMatch(/--data DIR, else \$CONCNER_DATA, else \.\.\/shared\/data/)
    })
  )
})

describe("DataRoot", () => {
  layer(NodeContext.layer)((it) => {
    it.effect("comes from CONCNER_DATA, else ../shared/data, resolved against the working directory", () =>
      Effect.gen(function* () {
        const rootWith = (map: Map<string, string>) =>
          Effect.map(Corpora, (c) => c.root).pipe(
            Effect.provide(Corpora.Default),
            Effect.withConfigProvider(ConfigProvider.fromMap(map))
          )
        expect(yield* rootWith(new Map([["CONCNER_DATA", "some/dir"]]))).toBe(path.resolve("some/dir"))
        expect(yield* rootWith(new Map())).toBe(path.resolve("../shared/data"))
      })
    )
  })
})
