import { describe, expect, it } from "@effect/vitest"
import { encodeMarkup, escapeText } from "../../src/translate/markup.js"
import { project } from "../../src/translate/project.js"
import { summarize } from "../../src/translate/setReport.js"
import { sentence } from "./support.js"

// Five hand-labelled sentences and what an engine returned for each (context markup, drop policy).
const handful: Array<[string, (marked: string) => string]> = [
  // kept; the engine marked one word unknown
  [
    "EU/B-ORG rejects/O German/B-MISC call/O",
    () => '<span class="ORG" id="e0">UE</span> rechaza la llamada <span class="MISC" id="e1">*alemana</span>'
  ],
  // repaired: Peter Blackburn came back in two adjacent pieces
  [
    "Peter/B-PER Blackburn/I-PER",
    () => '<span class="PER" id="e0">Peter</span><span class="PER" id="e0">Blackburn</span>'
  ],
  // dropped: the LOC span lost (Brussels merged into nothing)
  ["BRUSSELS/B-LOC 1996-08-22/O", () => "BRUSELAS 1996-08-22"],
  // dropped: renamed type
  ["Germany/B-LOC said/O", () => '<span class="ORG" id="e0">Alemania</span> dijo'],
  // dropped: malformed
  ["the/O Commission/B-ORG", () => 'la <span class="ORG" id="e0">Comisión']
]

describe("report", () => {
  it("counts a hand-labelled handful", () => {
    const results = handful.map(([line, output], index) => {
      const source = sentence(line, index)
      const marked = encodeMarkup(source.sentence, "context")
      return project({
        source,
        marked,
        output: output(marked.line),
        entityOutputs: marked.entities.map((e) => e.tokens.map(escapeText).join(" ")),
        mode: "context",
        policy: "drop",
        unknownMark: "*"
      })
    })
    const report = summarize(results, { engine: "test", from: "en", to: "es" })
    expect(report).toMatchObject({ sentences: 5, kept: 1, repaired: 1, dropped: 3, keptPercent: 40 })
    expect(report.droppedBy).toMatchObject({
      "lost-entity": 1,
      "renamed-type": 1,
      "malformed-markup": 1,
      "no-translation": 0
    })
    expect(report.repairs).toStrictEqual({ "joined-pieces": 1 })
    // Compared: sentences 1, 2, 3 (lost) and 4 (renamed); 1 and 2 agree.
    expect(report.typeAgreement).toStrictEqual({ agree: 2, of: 4 })
    expect(report.entities).toStrictEqual({
      source: { PER: 1, LOC: 2, ORG: 2, MISC: 1 },
      target: { PER: 1, ORG: 1, MISC: 1 }
    })
    expect(report.spans).toStrictEqual({ split: 0, joined: 1, lost: 1, merged: 0, extra: 0, renamed: 1 })
    expect(report.tokens).toStrictEqual({ source: 12, target: 7, untranslated: 1 })
  })
})
