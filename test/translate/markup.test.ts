import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { type Sentence, encodeConll } from "../../src/data/conll.js"
import { parseTag, schemeIssues } from "../../src/data/scheme.js"
import { encodeMarkup, escapeText, parseMarkup, placeholderOf } from "../../src/translate/markup.js"
import { project } from "../../src/translate/project.js"
import { labeledSentence, propOptions, sentence } from "./support.js"

/** Runs `output` (a function of the marked line) through projection under `policy`. */
const judge = (
  line: string,
  output: (marked: string) => string,
  options: { policy?: "drop" | "keep"; mode?: "context" | "placeholder"; entityOutputs?: Array<string> } = {}
) => {
  const source = sentence(line)
  const mode = options.mode ?? "context"
  const marked = encodeMarkup(source.sentence, mode)
  return project({
    source,
    marked,
    output: output(marked.line),
    entityOutputs: options.entityOutputs ?? marked.entities.map((e) => e.tokens.map(escapeText).join(" ")),
    mode,
    policy: options.policy ?? "drop"
  })
}

describe("markup", () => {
  it("writes spans with type and id, escaping markup characters", () => {
    const { line, entities } = encodeMarkup(
      sentence("EU/B-ORG rejects <b>/O Peter/B-PER Blackburn/I-PER &/O").sentence,
      "context"
    )
    expect(line).toBe(
      '<span class="ORG" id="e0">EU</span> rejects &lt;b&gt; <span class="PER" id="e1">Peter Blackburn</span> &amp;'
    )
    expect(entities.map((e) => [e.id, e.type, e.tokens])).toStrictEqual([
      [0, "ORG", ["EU"]],
      [1, "PER", ["Peter", "Blackburn"]]
    ])
    expect(encodeMarkup(sentence("EU/B-ORG rejects").sentence, "placeholder").line).toBe(
      '<span class="ORG" id="e0">ZXA</span> rejects'
    )
  })

  it("numbers placeholders in bijective base 26", () => {
    expect([0, 1, 25, 26, 27, 701, 702].map(placeholderOf)).toStrictEqual([
      "ZXA",
      "ZXB",
      "ZXZ",
      "ZXAA",
      "ZXAB",
      "ZXZZ",
      "ZXAAA"
    ])
  })

  it("rejects malformed markup with a reason", () => {
    const reason = (line: string) =>
      Either.getLeft(parseMarkup(line)).pipe((o) => (o._tag === "Some" ? o.value.reason : "parsed"))
    expect(reason('<span class="PER">a')).toBe('span "PER" is never closed')
    expect(reason("a </span>")).toBe('"</span>" closes no span')
    expect(reason('<span class="PER"><span class="LOC">a</span></span>')).toBe(
      'nested "<span class=\\"LOC\\">" inside an open span'
    )
    expect(reason("<b>a</b>")).toBe('unknown tag "<b>"')
    expect(reason("a > b")).toBe('stray ">" at column 3')
    expect(reason("a <span")).toBe("unterminated tag at column 3")
    expect(reason("<span class='PER' id='e3'>a b</span> c")).toBe("parsed")
  })

  it("counts and strips the unknown-word mark", () => {
    const parsed = Either.getOrThrow(
      parseMarkup('*Blackburn <span class="PER" id="e0">*Peter</span> * x', { unknownMark: "*" })
    )
    expect(parsed).toStrictEqual({
      tokens: ["Blackburn", "Peter", "*", "x"],
      spans: [{ type: "PER", id: 0, start: 1, end: 2 }],
      untranslated: 2
    })
    const placeholder = parseMarkup('*casa <span class="PER" id="e0">*ZXA</span>', {
      unknownMark: "*",
      uncounted: new Set(["ZXA"])
    })
    expect(Either.getOrThrow(placeholder)).toMatchObject({ tokens: ["casa", "ZXA"], untranslated: 1 })
  })
})

describe("projection verdicts (hand-labelled)", () => {
  const line = "John/B-PER Smith/I-PER visited/O New/B-LOC York/I-LOC and/O Paris/B-LOC"

  it("keeps a translation whose spans moved with their words", () => {
    const r = judge(
      line,
      () =>
        'Visitó <span class="LOC" id="e1">Nueva York</span> y <span class="LOC" id="e2">París</span> <span class="PER" id="e0">John Smith</span>'
    )
    expect(r.verdict).toStrictEqual({ kind: "kept" })
    expect(r.target?.tokens).toStrictEqual(["Visitó", "Nueva", "York", "y", "París", "John", "Smith"])
    expect(r.target?.tags).toStrictEqual(["O", "B-LOC", "I-LOC", "O", "B-LOC", "B-PER", "I-PER"])
  })

  it("joins adjacent pieces of one entity (repaired) and counts non-adjacent ones as split", () => {
    const joined = judge(
      line,
      () =>
        '<span class="PER" id="e0">John</span><span class="PER" id="e0">Smith</span> <span class="LOC" id="e1">NY</span> <span class="LOC" id="e2">P</span>'
    )
    expect(joined.verdict).toStrictEqual({ kind: "repaired", repairs: ["joined-pieces"] })
    expect(joined.target?.tags).toStrictEqual(["B-PER", "I-PER", "B-LOC", "B-LOC"])
    const pieces =
      '<span class="PER" id="e0">John</span> x <span class="PER" id="e0">Smith</span> <span class="LOC" id="e1">NY</span> <span class="LOC" id="e2">P</span>'
    const split = judge(line, () => pieces)
    expect(split.verdict).toMatchObject({ kind: "dropped", reason: "split-entity" })
    expect(split.stats.split).toBe(1)
    const kept = judge(line, () => pieces, { policy: "keep" })
    expect(kept.verdict).toStrictEqual({ kind: "kept" })
    expect(kept.target?.tags).toStrictEqual(["B-PER", "O", "B-PER", "B-LOC", "B-LOC"])
    expect(kept.typesAgree).toBe(false)
  })

  it("drops renamed, lost, extra, placeholder-changed, malformed and empty output", () => {
    const renamed = judge(line, (m) => m.replace('class="PER"', 'class="PERSONA"'))
    expect(renamed.verdict).toMatchObject({ kind: "dropped", reason: "renamed-type" })
    const lost = judge(line, (m) => m.replace(/<span class="LOC" id="e2">Paris<\/span>/, "Paris"))
    expect(lost.verdict).toMatchObject({ kind: "dropped", reason: "lost-entity" })
    expect(lost.stats).toMatchObject({ lost: 1, merged: 1 })
    const lostKept = judge(line, (m) => m.replace(/<span class="LOC" id="e2">Paris<\/span>/, "Paris"), {
      policy: "keep"
    })
    expect(lostKept.target?.tags).toStrictEqual(["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O", "O"])
    const extra = judge(line, (m) => `${m} <span class="LOC" id="e7">Lyon</span>`)
    expect(extra.verdict).toMatchObject({ kind: "dropped", reason: "extra-entity" })
    const noIds = judge(line, (m) => m.replace(/ id="e\d"/g, "").replace('class="LOC"', 'class="PER"'))
    // Without ids only type counts compare: one PER too many, one LOC too few.
    expect(noIds.verdict).toMatchObject({ kind: "dropped", reason: "lost-entity" })
    expect(noIds.stats).toMatchObject({ lost: 1, extra: 1 })
    const changed = judge(line, (m) => m.replace("ZXB", "Nueva York"), { mode: "placeholder" })
    expect(changed.verdict).toMatchObject({ kind: "dropped", reason: "placeholder-changed" })
    expect(judge(line, (m) => m.replace("</span>", "")).verdict).toMatchObject({
      kind: "dropped",
      reason: "malformed-markup"
    })
    expect(judge(line, () => "  ").verdict).toMatchObject({ kind: "dropped", reason: "empty-output" })
  })

  it("substitutes entity translations in placeholder mode", () => {
    const r = judge(
      "the/O European/B-ORG Union/I-ORG said/O",
      () => 'la <span class="ORG" id="e0">ZXA</span> dijo',
      {
        mode: "placeholder",
        entityOutputs: ["Unión Europea"]
      }
    )
    expect(r.verdict).toStrictEqual({ kind: "kept" })
    expect(r.target?.tokens).toStrictEqual(["la", "Unión", "Europea", "dijo"])
    expect(r.target?.tags).toStrictEqual(["O", "B-ORG", "I-ORG", "O"])
  })
})

const identity = (mode: "context" | "placeholder") => (s: Sentence) => {
  const marked = encodeMarkup(s, mode)
  return project({
    source: { index: 7, sentence: s },
    marked,
    output: marked.line,
    entityOutputs: marked.entities.map((e) => e.tokens.map(escapeText).join(" ")),
    mode,
    policy: "drop"
  })
}

describe("properties", () => {
  for (const mode of ["context", "placeholder"] as const) {
    it.prop(
      `an identity engine round-trips every labeled sentence (${mode})`,
      [labeledSentence],
      ([s]) => {
        const r = identity(mode)(s)
        expect(r.verdict).toStrictEqual({ kind: "kept" })
        expect(r.target?.tokens).toStrictEqual(s.tokens)
        expect(r.target?.tags).toStrictEqual(s.tags)
      },
      propOptions(91)
    )
  }

  // Engine output: the marked line mutated by tag-level edits, or free text over markup fragments.
  const fragment = fc.constantFrom(
    '<span class="PER" id="e0">',
    '<span class="LOC" id="e1">',
    '<span class="PER">',
    '<span class="X Y">',
    '<span class="" id="e0">',
    "</span>",
    "<",
    ">",
    "<b>",
    "&amp;",
    "&#0;",
    "&#x110000;",
    "&#32;",
    " ",
    "\n",
    "\t",
    "\u00a0",
    "ZXA",
    "ZXB",
    "*",
    "word",
    "-",
    "'",
    '"'
  )
  const edit = fc.oneof(
    fc.record({ op: fc.constant("delete" as const), at: fc.nat(), length: fc.nat(30) }),
    fc.record({
      op: fc.constant("insert" as const),
      at: fc.nat(),
      text: fc.array(fragment, { maxLength: 4 }).map((a) => a.join(""))
    }),
    fc.record({ op: fc.constant("duplicate" as const), at: fc.nat(), length: fc.nat(40) })
  )
  const apply = (line: string, edits: ReadonlyArray<typeof edit extends fc.Arbitrary<infer E> ? E : never>) =>
    edits.reduce((l, e) => {
      const at = l.length === 0 ? 0 : e.at % (l.length + 1)
      if (e.op === "delete") return l.slice(0, at) + l.slice(at + e.length)
      if (e.op === "insert") return l.slice(0, at) + e.text + l.slice(at)
      return l.slice(0, at) + l.slice(at, at + e.length) + l.slice(at)
    }, line)
  const output = fc.oneof(
    fc.record({ edits: fc.array(edit, { maxLength: 5 }) }),
    fc.record({ free: fc.array(fragment, { maxLength: 20 }).map((a) => a.join("")) })
  )

  for (const mode of ["context", "placeholder"] as const) {
    it.prop(
      `the parser never emits an invalid IOB2 sequence, whatever the engine returns (${mode})`,
      [
        labeledSentence,
        output,
        fc.array(
          fc.array(fragment, { maxLength: 6 }).map((a) => a.join("")),
          { maxLength: 4 }
        ),
        fc.constantFrom("drop" as const, "keep" as const)
      ],
      ([s, out, entityOutputs, policy]) => {
        const marked = encodeMarkup(s, mode)
        const line = "free" in out ? out.free : apply(marked.line, out.edits)
        const r = project({
          source: { index: 0, sentence: s },
          marked,
          output: line,
          entityOutputs,
          mode,
          policy,
          unknownMark: "*"
        })
        expect(r.target === undefined).toBe(r.verdict.kind === "dropped")
        if (r.target === undefined) return
        expect(r.target.tags.length).toBe(r.target.tokens.length)
        expect(
          r.target.tags.every(
            (t) => Either.isRight(parseTag(t)) && !t.startsWith("E-") && !t.startsWith("S-")
          )
        ).toBe(true)
        expect(schemeIssues(r.target.tags, "IOB2")).toStrictEqual([])
        expect(Either.isRight(encodeConll([r.target]))).toBe(true)
      },
      propOptions(92)
    )
  }
})
