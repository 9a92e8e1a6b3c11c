import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Schema, FastCheck as fc } from "effect"
import { ExperimentSpec, cpuProtocol, paperProtocol } from "../../src/experiment/spec.js"
import {
  PAPER_ENCODER,
  cellDeviations,
  protocolDifferences,
  specDeviations
} from "../../src/report/deviations.js"
import { escapeHtml, html, trustedHtml } from "../../src/report/htmlTemplate.js"
import { RunFileInvalid, parseEvalPoints } from "../../src/report/runFiles.js"

const runs = Number(process.env.CONCNER_PROP_RUNS ?? 100)

const decodeEntities = (s: string) => s.replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code)))

describe("html template", () => {
  it.prop(
    "an interpolated string comes out with no markup character and reads back unchanged",
    [fc.string({ unit: "binary" })],
    ([s]) => {
      const out = html`<td title="${s}">${s}</td>`.value
      const inner = out.slice('<td title="'.length, -"</td>".length)
      const [attr, text] = inner.split('">') as [string, string]
      expect(attr).not.toMatch(/[<>"']|&(?!#\d+;)/)
      expect(decodeEntities(attr)).toBe(s)
      expect(decodeEntities(text)).toBe(s)
    },
    { fastCheck: { numRuns: runs, seed: 10 } }
  )

  it("nests Html values unescaped, arrays joined, false and undefined as nothing", () => {
    const items = ["<a>", "b"].map((x) => html`<li>${x}</li>`)
    expect(html`<ul>${items}${false}${undefined}${trustedHtml("<hr>")}</ul>`.value).toBe(
      "<ul><li>&#60;a&#62;</li><li>b</li><hr></ul>"
    )
    expect(escapeHtml(`'"&`)).toBe("&#39;&#34;&#38;")
  })
})

describe("metrics.jsonl evaluations", () => {
  const evalLine = (step: number, devF1: number | string) =>
    JSON.stringify({ stage: "teacher", kind: "eval", step, devF1, improved: true, bestStep: step, bestF1: 1 })

  it.effect("keeps evaluations, skips steps, reads NaN written as a string", () =>
    Effect.gen(function* () {
      const text = `${JSON.stringify({ stage: "teacher", kind: "step", step: 0, loss: 1 })}\n${evalLine(10, 40.5)}\n${evalLine(20, "NaN")}\n`
      const { points, cut } = yield* parseEvalPoints(text, "m.jsonl")
      expect(cut).toBe(false)
      expect(points).toEqual([
        { stage: "teacher", step: 10, devF1: 40.5 },
        { stage: "teacher", step: 20, devF1: Number.NaN }
      ])
    })
  )

  it.effect("leaves out a last line cut by a kill and says so", () =>
    Effect.gen(function* () {
      const text = `${evalLine(10, 40)}\n${evalLine(20, 41).slice(0, 25)}`
      const { points, cut } = yield* parseEvalPoints(text, "m.jsonl")
      expect(cut).toBe(true)
      expect(points.map((p) => p.step)).toEqual([10])
    })
  )

  it.effect("fails on a bad line elsewhere with its line number", () =>
    Effect.gen(function* () {
      const bad = yield* Effect.exit(
        parseEvalPoints(`${evalLine(10, 40)}\n{oops\n${evalLine(20, 41)}\n`, "m.jsonl")
      )
      expect(bad).toStrictEqual(
        Exit.fail(new RunFileInvalid({ file: "m.jsonl", line: 2, reason: "not JSON: {oops" }))
      )
      const wrong = yield* Effect.exit(parseEvalPoints(`${evalLine(1.5, 40)}\n`, "m.jsonl"))
      expect(Exit.isFailure(wrong) && String(wrong.cause)).toContain("m.jsonl:1:")
    })
  )
})

describe("deviations from the paper's setting", () => {
  const spec = (fields: Record<string, unknown>) =>
    Schema.encodeSync(ExperimentSpec)(
      Schema.decodeUnknownSync(ExperimentSpec)({
        method: "concner",
        lang: "de",
        corpus: "conll",
        sourceSize: 500,
        seed: 1,
        model: `/m/${PAPER_ENCODER}`,
        translations: "mulda",
        mismatches: "keep",
        protocol: Schema.encodeSync(ExperimentSpec.fields.protocol)(paperProtocol),
        ...fields
      })
    )

  it("the paper's setting has none", () => {
    expect(specDeviations(spec({}))).toEqual([])
    expect(protocolDifferences(paperProtocol)).toEqual([])
  })

  it("names the protocol's changed fields, the encoder, the translation source and dropped pairs", () => {
    const cpu = Schema.encodeSync(ExperimentSpec.fields.protocol)(cpuProtocol)
    expect(specDeviations(spec({ protocol: cpu }))).toEqual([
      `protocol cpu: ${protocolDifferences(cpuProtocol).join(", ")} differ from the paper's`
    ])
    expect(protocolDifferences(cpuProtocol)).toContain("lr")
    expect(specDeviations(spec({ model: "/m/tiny" }))).toEqual(["encoder tiny (paper: mBERT)"])
    expect(specDeviations(spec({ mismatches: "drop" }))).toEqual([
      "translation pairs with other entity types: drop (paper: kept)"
    ])
    // the translation source, in the Markdown report's words
    expect(specDeviations(spec({ translations: { engine: "dictionary" } }))).toEqual([
      "D_TGT is a word-by-word MUSE dictionary translation into de (an approximation, not MT: English word order kept); the paper used Google MT with MulDA's labeled-sequence translation"
    ])
    expect(specDeviations({ ...spec({}), translations: "dictionary:muse" })).toEqual([
      'translations "dictionary:muse": not a source this concner knows'
    ])
  })

  it("translations do not matter to a method that uses none", () => {
    expect(specDeviations(spec({ method: "en", translations: "deepl-awesome", mismatches: "drop" }))).toEqual(
      []
    )
  })

  it("an unreadable spec and a missing one are deviations, and so are seeds of mixed settings", () => {
    expect(specDeviations({ method: "en" })[0]).toMatch(/^spec\.json is not a readable experiment spec/)
    expect(cellDeviations([{ spec: undefined }])).toEqual(["no spec.json: setting unknown"])
    expect(
      cellDeviations([{ spec: { content: spec({}) } }, { spec: { content: spec({ model: "/m/tiny" }) } }])
    ).toEqual(["encoder tiny (paper: mBERT)", "its seeds do not all share one setting"])
  })
})
