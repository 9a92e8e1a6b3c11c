import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import {
  type Span,
  type TagScheme,
  detectScheme,
  fromIob2,
  parseTag,
  parseTagIn,
  schemeIssues,
  spansOf,
  spansToIob2,
  tagSchemes,
  toIob2
} from "../../src/data/scheme.js"
import { iob2Tags, propOptions, spansWithLength } from "./arbitraries.js"

// Reference chunker written the way conlleval.pl is: per-token start/end-of-chunk predicates.
const naiveSpans = (tags: ReadonlyArray<string>): Array<Span> => {
  const split = (t: string | undefined) => (t === undefined || t === "O" ? ["O", ""] : [t[0]!, t.slice(2)])
  const spans: Array<Span> = []
  let start = -1
  for (let i = 0; i <= tags.length; i++) {
    const [pp, pt] = split(tags[i - 1])
    const [p, t] = split(tags[i])
    const ends = pp !== "O" && (p === "O" || p === "B" || t !== pt)
    const starts = p === "B" || (p === "I" && (pp === "O" || pt !== t))
    if (ends && start >= 0) {
      spans.push({ type: pt!, start, end: i })
      start = -1
    }
    if (starts) start = i
  }
  return spans
}

const isValidIob2 = (tags: ReadonlyArray<string>) =>
  tags.every(
    (t, i) => !t.startsWith("I-") || (i > 0 && tags[i - 1] !== "O" && tags[i - 1]!.slice(2) === t.slice(2))
  )

describe("parseTag", () => {
  it.each([
    ["X-PER", "unknown prefix"],
    ["B-", "missing entity type"],
    ["I-", "missing entity type"],
    ["PER", "a tag is O or"],
    ["b-PER", "unknown prefix"],
    ["B_PER", "a tag is O or"],
    ["O-PER", "unknown prefix"],
    ["", "a tag is O or"],
    ["B-PER\u0000", "control character"]
  ])("rejects %j (%s)", (tag, reason) => {
    const result = parseTag(tag)
    expect(Either.isLeft(result) && result.left.reason.includes(reason)).toBe(true)
  })

  it("parses O and the four prefixes", () => {
    expect(
      ["O", "B-PER", "I-LOC", "E-ORG", "S-MISC-X"].map((t) => Either.getOrThrow(parseTag(t)))
    ).toStrictEqual([
      { prefix: "O", type: "" },
      { prefix: "B", type: "PER" },
      { prefix: "I", type: "LOC" },
      { prefix: "E", type: "ORG" },
      { prefix: "S", type: "MISC-X" }
    ])
  })

  it("rejects E- and S- outside IOBES", () => {
    for (const scheme of ["IOB1", "IOB2"] as const) {
      expect(Either.isLeft(parseTagIn("E-PER", scheme))).toBe(true)
      expect(Either.isLeft(parseTagIn("S-PER", scheme))).toBe(true)
    }
    expect(Either.isRight(parseTagIn("S-PER", "IOBES"))).toBe(true)
  })
})

describe("spans", () => {
  it("reads an I- that does not continue its chunk as a new span", () => {
    expect(spansOf(["O", "I-PER", "I-PER", "I-LOC", "B-LOC", "O", "I-ORG"])).toStrictEqual([
      { type: "PER", start: 1, end: 3 },
      { type: "LOC", start: 3, end: 4 },
      { type: "LOC", start: 4, end: 5 },
      { type: "ORG", start: 6, end: 7 }
    ])
  })

  it.prop(
    "spansOf agrees with a conlleval-style chunker",
    [iob2Tags()],
    ([tags]) => {
      expect(spansOf(tags)).toStrictEqual(naiveSpans(tags))
    },
    propOptions(31)
  )

  it.prop(
    "spans → IOB2 → spans is the identity",
    [spansWithLength],
    ([{ spans, length }]) => {
      const tags = spansToIob2(spans, length)
      expect(tags).toHaveLength(length)
      expect(spansOf(tags)).toStrictEqual(spans)
      expect(schemeIssues(tags, "IOB2")).toStrictEqual([])
    },
    propOptions(32)
  )

  it.prop(
    "valid IOB2 → spans → IOB2 is the identity",
    [iob2Tags()],
    ([tags]) => {
      if (isValidIob2(tags)) expect(spansToIob2(spansOf(tags), tags.length)).toStrictEqual(tags)
    },
    propOptions(33)
  )

  it("rejects overlapping or out-of-range spans", () => {
    expect(() =>
      spansToIob2(
        [
          { type: "PER", start: 0, end: 2 },
          { type: "LOC", start: 1, end: 3 }
        ],
        3
      )
    ).toThrow(RangeError)
    expect(() => spansToIob2([{ type: "PER", start: 2, end: 4 }], 3)).toThrow(RangeError)
  })

  it("treats a non-IOB2 tag as a bug", () => {
    expect(() => spansOf(["S-PER"])).toThrow("S- tag in an IOB2 label set")
  })
})

describe("scheme conversions", () => {
  it("converts known IOB1 and IOBES sequences", () => {
    const iob2 = ["B-PER", "I-PER", "B-PER", "O", "B-LOC", "B-ORG", "I-ORG", "O"]
    expect(fromIob2(iob2, "IOB1")).toStrictEqual([
      "I-PER",
      "I-PER",
      "B-PER",
      "O",
      "I-LOC",
      "I-ORG",
      "I-ORG",
      "O"
    ])
    expect(fromIob2(iob2, "IOBES")).toStrictEqual([
      "B-PER",
      "E-PER",
      "S-PER",
      "O",
      "S-LOC",
      "B-ORG",
      "E-ORG",
      "O"
    ])
    expect(toIob2(["I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-ORG", "I-ORG", "O"], "IOB1")).toStrictEqual(
      iob2
    )
    expect(toIob2(["B-PER", "E-PER", "S-PER", "O", "S-LOC", "B-ORG", "E-ORG", "O"], "IOBES")).toStrictEqual(
      iob2
    )
  })

  it.prop(
    "every conversion preserves spans",
    [iob2Tags()],
    ([tags]) => {
      for (const scheme of tagSchemes) {
        const converted = fromIob2(tags, scheme)
        expect(spansOf(toIob2(converted, scheme))).toStrictEqual(spansOf(tags))
      }
    },
    propOptions(34)
  )

  it.prop(
    "IOB2 → IOBES → IOB2 is the identity, invalid transitions included",
    [iob2Tags()],
    ([tags]) => {
      expect(toIob2(fromIob2(tags, "IOBES"), "IOBES")).toStrictEqual(tags)
      expect(toIob2(fromIob2(tags, "IOB2"), "IOB2")).toStrictEqual(tags)
    },
    propOptions(35)
  )

  it.prop(
    "valid IOB2 → IOB1 → IOB2 is the identity",
    [iob2Tags()],
    ([tags]) => {
      if (isValidIob2(tags)) expect(toIob2(fromIob2(tags, "IOB1"), "IOB1")).toStrictEqual(tags)
    },
    propOptions(36)
  )

  it.prop(
    "valid IOB1 → IOB2 → IOB1 is the identity",
    [iob2Tags()],
    ([raw]) => {
      // reuse the IOB2 arbitrary's shapes as IOB1: valid when B-X only follows an X chunk
      const validIob1 = raw.every(
        (t, i) => !t.startsWith("B-") || (i > 0 && raw[i - 1]!.slice(2) === t.slice(2))
      )
      if (validIob1) expect(fromIob2(toIob2(raw, "IOB1"), "IOB1")).toStrictEqual(raw)
    },
    propOptions(37)
  )

  it.prop(
    "IOBES output is valid IOBES",
    [iob2Tags()],
    ([tags]) => {
      const iobes = fromIob2(tags, "IOBES")
      const kinds = schemeIssues(iobes, "IOBES").map((i) => i.kind)
      expect(kinds).not.toContain("mixed-scheme")
      expect(kinds.length).toBe(schemeIssues(tags, "IOB2").length)
    },
    propOptions(38)
  )
})

describe("schemeIssues and detectScheme", () => {
  it.prop(
    "IOB2 issues are exactly the I- tags that start a chunk",
    [iob2Tags()],
    ([tags]) => {
      const starts = naiveSpans(tags)
        .filter((s) => tags[s.start]!.startsWith("I-"))
        .map((s) => s.start)
      expect(schemeIssues(tags, "IOB2").map((i) => i.index)).toStrictEqual(starts)
    },
    propOptions(39)
  )

  it("reports invalid transitions per scheme", () => {
    expect(schemeIssues(["O", "I-PER"], "IOB2")).toStrictEqual([
      { index: 1, kind: "invalid-transition", reason: "I-PER does not continue a PER chunk" }
    ])
    expect(schemeIssues(["O", "I-PER"], "IOB1")).toStrictEqual([])
    expect(schemeIssues(["O", "B-PER"], "IOB1").map((i) => i.kind)).toStrictEqual(["invalid-transition"])
    expect(schemeIssues(["O", "E-PER"], "IOBES").map((i) => i.kind)).toStrictEqual(["invalid-transition"])
    expect(schemeIssues(["S-PER", "B-LOC", "O"], "IOBES")).toStrictEqual([
      {
        index: 1,
        kind: "mixed-scheme",
        reason: "LOC chunk not closed by E-LOC (IOB chunk in an IOBES label set)"
      }
    ])
  })

  const cases: ReadonlyArray<[ReadonlyArray<ReadonlyArray<string>>, TagScheme]> = [
    [[["O", "O"]], "IOB2"],
    [[["B-PER", "I-PER"]], "IOB2"],
    [
      [
        ["I-PER", "I-PER", "B-PER"],
        ["O", "I-LOC"]
      ],
      "IOB1"
    ],
    [[["O", "I-LOC"], ["B-PER"]], "IOB2"],
    [[["B-PER", "E-PER"], ["O"]], "IOBES"],
    [[["O"], ["S-PER"]], "IOBES"]
  ]
  it.each(cases)("detects %j as %s", (sequences, scheme) => {
    expect(detectScheme(sequences)).toBe(scheme)
  })
})
