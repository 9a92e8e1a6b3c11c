import { describe, expect, it } from "@effect/vitest"
import { Either, ParseResult, Schema, FastCheck as fc } from "effect"
import { specHash } from "../../src/experiment/grid.js"
import { ExperimentSpec } from "../../src/experiment/spec.js"
import {
  TranslationSource,
  TranslationSourceInvalid,
  formatTranslationSource,
  parseTranslationSource,
  translationDeviations,
  translationLabel,
  translationsUnavailable
} from "../../src/experiment/translations.js"
import { specDeviations } from "../../src/report/deviations.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)

const issues = (value: unknown) =>
  Either.match(Schema.decodeUnknownEither(TranslationSource)(value), {
    onLeft: (e) =>
      ParseResult.ArrayFormatter.formatErrorSync(e).map(
        (i) => `${i.path.join(".") || "(root)"}: ${i.message}`
      ),
    onRight: () => []
  })

// A protocol written out here (not cpuProtocol), so the golden hashes below depend on nothing that may be retuned.
const protocol = {
  name: "fixed",
  epochs: 2,
  batchSize: 8,
  maxLength: 48,
  evalEvery: 5,
  lr: 0.001,
  weightDecay: 0.01,
  warmupRatio: 0,
  kdEpochs: 1,
  evalBatchSize: 16
}
const specWith = (translations: unknown, method = "concner", corpus = "conll", lang = "es") =>
  Schema.decodeUnknownSync(ExperimentSpec)({
    method,
    lang,
    corpus,
    sourceSize: 1000,
    seed: 1,
    model: "/m",
    translations,
    mismatches: "keep",
    protocol
  })

describe("TranslationSource", () => {
  it("decodes published sets and engine specs", () => {
    for (const good of [
      "mulda",
      "deepl-awesome",
      { engine: "dictionary" },
      { engine: "apertium" },
      { engine: "command", command: "trans -b :es" }
    ])
      expect(Schema.decodeUnknownSync(TranslationSource)(good)).toEqual(good)
  })

  it("refuses other sources, naming the field and what was expected", () => {
    expect(issues("google").join("\n")).toMatch(/Expected "mulda".*actual "google"/s)
    expect(issues({ engine: "google" }).join("\n")).toMatch(/engine: Expected "dictionary".*actual "google"/s)
    expect(issues({ engine: "command" })).toContain("command: is missing")
    expect(issues({ engine: "command", command: "  " }).join("\n")).toContain(
      "command: a shell command, not blank"
    )
    // an unknown key is an error, never ignored
    expect(issues({ engine: "dictionary", file: "/tmp/x.txt" }).join("\n")).toMatch(/file: is unexpected/)
  })

  it("published sources keep the hash specs had before engines existed", () => {
    // computed with the spec schema of commit 7a77b74 (translations: Literal("mulda", "deepl-awesome"))
    expect(specHash(specWith("mulda"))).toBe(
      "44fec5cbccb6dbbb4e7d777a1b0836c5f28865a2bec91ebfd5a8bdb721255076"
    )
    expect(specHash(specWith("deepl-awesome"))).toBe(
      "98acfb7fec7453bbdcb982895a6476cadb339a9ec122740981c462d85d94dd52"
    )
    const engine = specWith({ engine: "dictionary" })
    expect(Schema.encodeSync(ExperimentSpec)(engine).translations).toEqual({ engine: "dictionary" })
    expect(specHash(engine)).not.toBe(specHash(specWith("mulda")))
  })
})

describe("the --translations syntax", () => {
  it("parses each form", () => {
    expect(parseTranslationSource("mulda")).toStrictEqual(Either.right("mulda"))
    expect(parseTranslationSource("deepl-awesome")).toStrictEqual(Either.right("deepl-awesome"))
    expect(parseTranslationSource("engine:dictionary")).toStrictEqual(Either.right({ engine: "dictionary" }))
    expect(parseTranslationSource("engine:apertium")).toStrictEqual(Either.right({ engine: "apertium" }))
    expect(parseTranslationSource("engine:command=sed 's/a=b/c/'")).toStrictEqual(
      Either.right({ engine: "command", command: "sed 's/a=b/c/'" })
    )
  })

  it("refuses anything else with the accepted forms", () => {
    for (const bad of [
      "",
      "Mulda",
      "engine:",
      "engine:google",
      "engine:command",
      "engine:command=  ",
      "dictionary"
    ]) {
      const parsed = parseTranslationSource(bad)
      expect(parsed).toStrictEqual(Either.left(new TranslationSourceInvalid({ text: bad })))
    }
    expect(new TranslationSourceInvalid({ text: "engine:google" }).message).toBe(
      '--translations "engine:google": expected mulda | deepl-awesome | engine:dictionary | engine:apertium | engine:command=CMD'
    )
  })

  it.prop(
    "format is parse's inverse, and labels are path-safe",
    [
      fc.oneof(
        fc.constantFrom<TranslationSource>(
          "mulda",
          "deepl-awesome",
          { engine: "dictionary" },
          { engine: "apertium" }
        ),
        fc
          .string({ minLength: 1 })
          .filter((c) => c.trim() !== "")
          .map((command): TranslationSource => ({ engine: "command", command }))
      )
    ],
    ([source]) => {
      expect(parseTranslationSource(formatTranslationSource(source))).toStrictEqual(Either.right(source))
      expect(translationLabel(source)).toMatch(/^[a-z0-9-]+$/)
    },
    { fastCheck: { numRuns, seed: 20261126 } }
  )
})

describe("availability and deviations", () => {
  it("published sets serve CoNLL de/es/nl, the dictionary its 21 MUSE languages", () => {
    expect(translationsUnavailable("mulda", { corpus: "conll", lang: "es" })).toBeUndefined()
    expect(translationsUnavailable("mulda", { corpus: "wikiann", lang: "ar" })).toMatch(
      /no published mulda set for wikiann ar/
    )
    expect(
      translationsUnavailable({ engine: "dictionary" }, { corpus: "wikiann", lang: "ar" })
    ).toBeUndefined()
    expect(translationsUnavailable({ engine: "dictionary" }, { corpus: "wikiann", lang: "sw" })).toMatch(
      /no MUSE dictionary en-sw/
    )
    expect(translationsUnavailable({ engine: "apertium" }, { corpus: "wikiann", lang: "sw" })).toBeUndefined()
  })

  it("marks every source but MulDA's sets, and only for methods that train on translations", () => {
    // the recorded spec's deviations (the report's), less the encoder's and the protocol's
    const deviations = (spec: ExperimentSpec) =>
      specDeviations(Schema.encodeSync(ExperimentSpec)(spec)).filter((d) => d.startsWith("D_TGT"))
    expect(deviations(specWith("mulda"))).toEqual([])
    expect(deviations(specWith({ engine: "dictionary" }, "en"))).toEqual([])
    expect(deviations(specWith({ engine: "dictionary" }, "concner", "wikiann", "ar"))).toEqual([
      "D_TGT is a word-by-word MUSE dictionary translation into ar (an approximation, not MT: English word order kept); the paper used Google MT with MulDA's labeled-sequence translation"
    ])
    for (const source of [
      "deepl-awesome",
      { engine: "apertium" },
      { engine: "command", command: "x" }
    ] as const)
      expect(deviations(specWith(source, "mulda"))).toHaveLength(1)
    expect(translationDeviations({ corpus: "conll", lang: "es", translations: undefined })).toEqual([])
  })
})
