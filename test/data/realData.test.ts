/**
 * Every count in ../shared/data/README.md, reproduced from the files: the README's tables are
 * parsed here and compared with what `concner data stats` computes. Decoding is cached by the one
 * Corpora instance this file builds, so the corpora are read once.
 */
import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { type DatasetRow, datasetRows } from "../../src/cli/data.js"
import { Corpora } from "../../src/data/Corpora.js"
import { pairsForSample } from "../../src/data/pairing.js"
import { sampleIndices } from "../../src/data/sampling.js"

const root = path.resolve(process.env.CONCNER_DATA ?? "../shared/data")
const readmePath = path.join(root, "README.md")
const present = existsSync(readmePath)
if (!present)
  console.warn(`real-data tests skipped: ${readmePath} not found (set CONCNER_DATA to the data root)`)

const number = (cell: string) => Number(cell.replace(/,/g, ""))
const numbers = (cell: string) => cell.split("/").map((c) => number(c.trim()))
const byType = (types: ReadonlyArray<string>, cell: string) =>
  Object.fromEntries(numbers(cell).map((n, i) => [types[i]!, n]))

/** Rows of the markdown table whose header starts with `header`. */
const table = (readme: string, header: string): Array<Array<string>> => {
  const lines = readme.split("\n")
  const start = lines.findIndex((l) => l.startsWith(header))
  if (start === -1) throw new Error(`README table "${header}" not found`)
  const rows: Array<Array<string>> = []
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith("|"); i++) {
    rows.push(
      lines[i]!.split("|")
        .slice(1, -1)
        .map((c) => c.trim())
    )
  }
  return rows
}

type Expected = Pick<DatasetRow, "corpus" | "lang" | "split"> & Partial<DatasetRow>

const expectedRows = (readme: string): Array<Expected> => {
  const conll = table(readme, "| dataset | lang | split |").map(
    ([, lang, split, sentences, docstarts, , , tokens, entities, types]): Expected => ({
      corpus: "conll",
      lang: lang!,
      split: split!,
      sentences: number(sentences!),
      tokens: number(tokens!),
      entities: number(entities!),
      byType: byType(["PER", "LOC", "ORG", "MISC"], types!),
      invalidI: 0,
      // "946" or "(287 glued)" documents; Spanish has none
      ...(number(docstarts!.replace(/\D/g, "")) > 0
        ? { documents: number(docstarts!.replace(/\D/g, "")) }
        : {})
    })
  )
  const wikiann = table(readme, "| lang | train sent |").flatMap(
    ([lang, train, dev, test, , trainEnt, devEnt, testEnt, testTypes, invalid]): Array<Expected> => {
      const invalidI = numbers(invalid!)
      return [
        {
          corpus: "wikiann",
          lang: lang!,
          split: "train",
          sentences: number(train!),
          entities: number(trainEnt!),
          invalidI: invalidI[0]!
        },
        {
          corpus: "wikiann",
          lang: lang!,
          split: "dev",
          sentences: number(dev!),
          entities: number(devEnt!),
          invalidI: invalidI[1]!
        },
        {
          corpus: "wikiann",
          lang: lang!,
          split: "test",
          sentences: number(test!),
          entities: number(testEnt!),
          byType: byType(["PER", "LOC", "ORG"], testTypes!),
          invalidI: invalidI[2]!
        }
      ]
    }
  )
  const translations = table(readme, "| system | lang | sentences |").map(
    ([system, lang, sentences, aligned, sameTypes, entities, types]): Expected => ({
      corpus: system === "MulDA" ? "translations/mulda" : "translations/deepl-awesome",
      lang: lang!,
      split: "train",
      sentences: number(sentences!),
      aligned: number(aligned!),
      sameTypes: number(sameTypes!),
      entities: number(entities!),
      byType: byType(["PER", "LOC", "ORG", "MISC"], types!)
    })
  )
  return [...conll, ...wikiann, ...translations]
}

const key = (r: Pick<DatasetRow, "corpus" | "lang" | "split">) => `${r.corpus}/${r.lang}/${r.split}`

/** The rows as `data stats` computes them, only the fields the README states. */
const compare = (rows: ReadonlyArray<DatasetRow>, expected: ReadonlyArray<Expected>) => {
  const actual = new Map(rows.map((r) => [key(r), r]))
  const got = expected.map((e) => {
    const row = actual.get(key(e))
    return row === undefined
      ? { missing: key(e) }
      : Object.fromEntries(Object.keys(e).map((k) => [k, row[k as keyof DatasetRow]]))
  })
  expect(got).toStrictEqual(expected)
}

/** `data stats`' rows, computed by the first test that asks and shared by the rest. */
const stats = Effect.runSync(Effect.cached(datasetRows()))

describe.skipIf(!present)("real data in ../shared/data", () => {
  const readme = present ? readFileSync(readmePath, "utf8") : ""
  const expected = present ? expectedRows(readme) : []

  layer(Corpora.at(root), { timeout: "5 minutes" })((it) => {
    it.effect(
      "data stats has one row per dataset of the README (12 CoNLL, 96 WikiAnn, 6 translations)",
      () =>
        Effect.gen(function* () {
          expect(expected.length).toBe(12 + 32 * 3 + 6)
          expect((yield* stats).map(key)).toStrictEqual(expected.map(key))
        }),
      600_000
    )

    it.effect("reproduces the CoNLL table", () =>
      Effect.map(stats, (rows) =>
        compare(
          rows,
          expected.filter((e) => e.corpus === "conll")
        )
      )
    )

    it.effect("reproduces the WikiAnn table, invalid I- counts included", () =>
      Effect.map(stats, (rows) =>
        compare(
          rows,
          expected.filter((e) => e.corpus === "wikiann")
        )
      )
    )

    it.effect("reproduces the translations table", () =>
      Effect.map(stats, (rows) =>
        compare(
          rows,
          expected.filter((e) => e.corpus.startsWith("translations/"))
        )
      )
    )

    it.effect(
      "keeps the README's 54 U+FEFF tokens (fa train 1, ka test 1, ta 45/4/3) and 30 U+200B characters (in 25 tokens; the README says 30 tokens)",
      () =>
        Effect.gen(function* () {
          const corpora = yield* Corpora
          const wikiann = (yield* corpora.list()).filter((id) => id.corpus === "wikiann")
          const sentences = (yield* Effect.forEach(wikiann, (id) => corpora.load(id))).map((c) => c.sentences)
          const withChar = (char: string) =>
            Object.fromEntries(
              wikiann
                .map(
                  (id, i) =>
                    [
                      `${id.lang}/${id.split}`,
                      sentences[i]!.reduce((n, s) => n + s.tokens.filter((t) => t.includes(char)).length, 0)
                    ] as const
                )
                .filter(([, n]) => n > 0)
            )
          const characters = (char: string) =>
            sentences
              .flat()
              .reduce((n, s) => n + s.tokens.reduce((m, t) => m + t.split(char).length - 1, 0), 0)
          expect(withChar("\ufeff")).toStrictEqual({
            "fa/train": 1,
            "ka/test": 1,
            "ta/train": 45,
            "ta/dev": 4,
            "ta/test": 3
          })
          expect(characters("\u200b")).toBe(30)
          expect(Object.values(withChar("\u200b")).reduce((a, b) => a + b, 0)).toBe(25)
        })
    )

    it.effect("reports zh's invalid I- tags with lines that hold them", () =>
      Effect.gen(function* () {
        const corpora = yield* Corpora
        const zh = yield* corpora.load({ corpus: "wikiann", lang: "zh", split: "train" })
        const lines = readFileSync(zh.file, "utf8").split("\n")
        expect(zh.report.invalidTransitions).toHaveLength(896)
        for (const { line, tag } of zh.report.invalidTransitions) {
          expect(lines[line - 1]!.endsWith(` ${tag}`) && tag.startsWith("I-")).toBe(true)
          expect(
            lines[line - 2]!.endsWith(` ${tag}`) || lines[line - 2]!.endsWith(` B-${tag.slice(2)}`)
          ).toBe(false)
        }
      })
    )

    it.effect("flags MulDA's leaked placeholders (LIS3 in de) and none in DeepL+awesome", () =>
      Effect.gen(function* () {
        const corpora = yield* Corpora
        const leaked = (system: "mulda" | "deepl-awesome", lang: string) =>
          Effect.map(corpora.translations({ system, lang }, "keep"), (s) =>
            s.report.leakedPlaceholders.map((p) => p.token)
          )
        const de = yield* leaked("mulda", "de")
        expect(de).toContain("LIS3")
        expect(de).toHaveLength(16)
        expect([...(yield* leaked("mulda", "es"))].sort()).toStrictEqual(["PER0", "PER125", "PER9"])
        for (const lang of ["de", "es", "nl"]) expect(yield* leaked("deepl-awesome", lang)).toStrictEqual([])
      })
    )

    it.effect("returns exactly the pairs that exist for a sample of English sentences", () =>
      Effect.gen(function* () {
        const corpora = yield* Corpora
        const english = yield* corpora.load({ corpus: "conll", lang: "en", split: "train" })
        const indices = sampleIndices(english.sentences.length, 500, 7)
        for (const policy of ["keep", "drop"] as const) {
          const set = yield* corpora.translations({ system: "mulda", lang: "de" }, policy)
          const { pairs, missing } = pairsForSample(set, indices)
          expect(pairs.length + missing.length).toBe(500)
          expect(missing.length).toBeGreaterThan(0)
          for (const p of pairs) {
            expect(p.source).toBe(english.sentences[p.index])
            expect(p.target.doc).toBe(p.source.doc)
            if (policy === "drop") expect(p.sameTypes).toBe(true)
          }
        }
      })
    )
  })
})
