import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { type DecodedConll, type Sentence, decodeConll, encodeConll } from "../../src/data/conll.js"
import { ConllFormatError, ConllSchemeError, ConllTagError } from "../../src/data/errors.js"
import { propOptions, taggedTokens } from "./arbitraries.js"

const decoded = (text: string, options = {}) => Either.getOrThrow(decodeConll(text, "x.conll", options))
const content = (sentences: ReadonlyArray<Sentence>) =>
  sentences.map((s) =>
    s.doc === undefined ? { tokens: s.tokens, tags: s.tags } : { tokens: s.tokens, tags: s.tags, doc: s.doc }
  )

// A file written by a hand other than ours: random separators (runs of spaces and tabs), 2..4
// columns, LF or CRLF, 1..2 blank or whitespace-only lines, optional BOM and final blank line,
// and -DOCSTART- lines with or without a blank line after them.
const separator = fc.array(fc.constantFrom(" ", "\t"), { minLength: 1, maxLength: 3 }).map((s) => s.join(""))
const newline = fc.constantFrom("\n", "\r\n")
const blank = fc.tuple(fc.constantFrom("", " ", "\t "), newline).map(([w, n]) => w + n)
const middleColumns = fc.array(fc.tuple(fc.constantFrom("NNP", "I-NP", "x", "B-"), separator), {
  maxLength: 2
})
const renderedSentence = taggedTokens.chain(({ tokens, tags }) =>
  fc
    .tuple(
      fc.array(fc.tuple(separator, middleColumns, newline), {
        minLength: tokens.length,
        maxLength: tokens.length
      }),
      fc.array(blank, { minLength: 1, maxLength: 2 })
    )
    .map(([lines, blanks]) => ({
      tokens,
      tags,
      text:
        tokens
          .map((t, i) => {
            const [sep, middle, nl] = lines[i]!
            return t + sep + middle.map(([c, s]) => c + s).join("") + tags[i] + nl
          })
          .join("") + blanks.join("")
    }))
)
const documentHeader = fc.tuple(
  fc.constantFrom("-DOCSTART- O", "-DOCSTART- -X- -X- O", "-DOCSTART-"),
  newline,
  fc.boolean()
)
const corpusFile = fc
  .record({
    bom: fc.boolean(),
    withDocs: fc.boolean(),
    leading: fc.array(renderedSentence, { maxLength: 2 }),
    documents: fc.array(fc.tuple(documentHeader, fc.array(renderedSentence, { maxLength: 3 })), {
      maxLength: 3
    }),
    finalBlank: fc.boolean()
  })
  .map(({ bom, withDocs, leading, documents, finalBlank }) => {
    const docs = withDocs ? documents : []
    const parts: Array<string> = leading.map((s) => s.text)
    const expected: Array<{ tokens: ReadonlyArray<string>; tags: ReadonlyArray<string>; doc?: number }> = []
    const first = docs.length > 0 && leading.length > 0 ? 1 : 0
    for (const s of leading) expected.push(docs.length > 0 ? { tokens: s.tokens, tags: s.tags, doc: 0 } : s)
    docs.forEach(([[header, nl, glued], sentences], d) => {
      parts.push(header + nl + (glued && sentences.length > 0 ? "" : nl))
      for (const s of sentences) {
        parts.push(s.text)
        expected.push({ tokens: s.tokens, tags: s.tags, doc: d + first })
      }
    })
    // a file whose first token starts with U+FEFF needs a BOM, or the reader takes that character for one
    let text = (bom || parts[0]?.startsWith("\ufeff") ? "\ufeff" : "") + parts.join("")
    if (!finalBlank) text = text.replace(/(\r?\n|[ \t])+$/, "")
    return {
      text,
      expected: expected.map(({ tokens, tags, doc }) =>
        doc === undefined ? { tokens, tags } : { tokens, tags, doc }
      )
    }
  })

describe("decodeConll and encodeConll", () => {
  it.prop(
    "read gives back the sentences of any well-formed file; write∘read is the identity",
    [corpusFile],
    ([file]) => {
      const read = decoded(file.text, { scheme: "IOB2" })
      expect(content(read.sentences)).toStrictEqual(file.expected)
      const documents = read.documents === undefined ? {} : { documents: read.documents }
      const written = Either.getOrThrow(encodeConll(read.sentences, documents))
      const reread = decoded(written, { scheme: "IOB2" })
      expect(content(reread.sentences)).toStrictEqual(file.expected)
      expect(reread.documents).toBe(read.documents)
      expect(Either.getOrThrow(encodeConll(reread.sentences, documents))).toBe(written)
    },
    propOptions(41)
  )

  it.prop(
    "writing in IOB1 or IOBES and reading back gives the same IOB2 spans",
    [fc.array(taggedTokens, { maxLength: 4 })],
    ([sentences]) => {
      const input = sentences.map((s, i) => ({ ...s, line: i }))
      for (const scheme of ["IOBES", "IOB1"] as const) {
        const back = decoded(Either.getOrThrow(encodeConll(input, { scheme })), { scheme })
        // IOB1 cannot tell `O I-X` from `O B-X`: compare after normalising both to B- starts
        const norm = (tags: ReadonlyArray<string>) =>
          Either.getOrThrow(decodeConll(tags.map((t) => `w ${t}\n`).join(""), "n", { scheme: "IOB1" }))
            .sentences[0]?.tags
        back.sentences.forEach((s, i) =>
          expect(scheme === "IOBES" ? s.tags : norm(s.tags)).toStrictEqual(
            scheme === "IOBES" ? input[i]!.tags : norm(input[i]!.tags)
          )
        )
      }
    },
    propOptions(42)
  )

  it("keeps zero-width characters and U+FEFF inside tokens, and a leading U+FEFF token through a BOM", () => {
    const sentences = [
      { tokens: ["\ufeffab", "x\u200by", "\u200c\u200d"], tags: ["B-PER", "I-PER", "O"], line: 1 }
    ]
    const text = Either.getOrThrow(encodeConll(sentences))
    expect(text.startsWith("\ufeff\ufeffab B-PER\n")).toBe(true)
    expect(decoded(text).sentences).toStrictEqual(sentences)
  })

  it("reads the shapes found in the wild", () => {
    const text =
      "\ufeff-DOCSTART- -X- -X- O\r\n\r\nEU\tNNP\tB-ORG\r\nrejects  VBZ I-VP   O \r\n \r\n-DOCSTART- O\r\nDe B-MISC\n\t\nx O"
    const result = decoded(text)
    expect(result.sentences).toStrictEqual([
      { tokens: ["EU", "rejects"], tags: ["B-ORG", "O"], line: 3, doc: 0 },
      { tokens: ["De"], tags: ["B-MISC"], line: 7, doc: 1 },
      { tokens: ["x"], tags: ["O"], line: 9, doc: 1 }
    ])
    expect(result.documents).toBe(2)
    expect(result.report).toStrictEqual({
      file: "x.conll",
      scheme: "IOB2",
      detected: true,
      docstarts: 2,
      invalidTransitions: []
    })
  })

  it("puts sentences before the first -DOCSTART- in document 0", () => {
    const result = decoded("a O\n\n-DOCSTART- O\n\nb O\n")
    expect(result.sentences.map((s) => s.doc)).toStrictEqual([0, 1])
    expect(result.documents).toBe(2)
    expect("documents" in decoded("a O\n")).toBe(false)
  })

  it("reports invalid transitions with their lines and keeps the tags", () => {
    const result = decoded("a B-LOC\n\nb O\nc I-PER\nd I-PER\ne I-LOC\n")
    expect(result.sentences[1]!.tags).toStrictEqual(["O", "I-PER", "I-PER", "I-LOC"])
    expect(result.report.invalidTransitions).toStrictEqual([
      { line: 4, tag: "I-PER", reason: "I-PER does not continue a PER chunk" },
      { line: 6, tag: "I-LOC", reason: "I-LOC does not continue a LOC chunk" }
    ])
  })

  it("detects and converts IOB1 and IOBES", () => {
    const iob1 = decoded("a I-PER\nb I-PER\nc B-PER\nd O\ne I-LOC\n")
    expect(iob1.report.scheme).toBe("IOB1")
    expect(iob1.sentences[0]!.tags).toStrictEqual(["B-PER", "I-PER", "B-PER", "O", "B-LOC"])
    const iobes = decoded("a B-PER\nb E-PER\nc S-LOC\n")
    expect(iobes.report.scheme).toBe("IOBES")
    expect(iobes.sentences[0]!.tags).toStrictEqual(["B-PER", "I-PER", "B-LOC"])
    expect(decoded("a I-PER\n", { scheme: "IOB2" }).sentences[0]!.tags).toStrictEqual(["I-PER"])
  })

  it("refuses to write what it could not read back", () => {
    const bad = (tokens: Array<string>, tags: Array<string>) =>
      Either.isLeft(encodeConll([{ tokens, tags, line: 1 }]))
    expect(bad(["a b"], ["O"])).toBe(true)
    expect(bad(["a\tb"], ["O"])).toBe(true)
    expect(bad([""], ["O"])).toBe(true)
    expect(bad(["-DOCSTART-"], ["O"])).toBe(true)
    expect(bad(["a"], ["O", "O"])).toBe(true)
    expect(bad(["a"], ["X-PER"])).toBe(true)
    expect(bad([], [])).toBe(true)
  })
})

describe("hostile input", () => {
  const failure = (text: string, options = {}) => {
    const result = decodeConll(text, "bad.conll", options)
    if (Either.isRight(result)) throw new Error("expected a failure")
    return result.left
  }

  it.each([
    ["a line with one column", "EU B-ORG\nrejects\n", ConllFormatError, 2, "rejects"],
    ["a token with a trailing separator only", "EU B-ORG\n\nrejects \t\n", ConllFormatError, 3, "rejects \t"],
    ["a lone CR as separator", "EU\rB-ORG\n", ConllFormatError, 1, "EU\rB-ORG"],
    ["an unknown prefix", "EU B-ORG\nx O\nrejects X-PER\n", ConllTagError, 3, "rejects X-PER"],
    ["a prefix without a type", "\n\nEU B-\n", ConllTagError, 3, "EU B-"],
    ["a type without a prefix", "EU ORG\n", ConllTagError, 1, "EU ORG"],
    ["a lower-case prefix", "EU o\n", ConllTagError, 1, "EU o"],
    ["two CRs", "EU B-ORG\r\r\n", ConllTagError, 1, "EU B-ORG\r"],
    ["an IOB chunk among IOBES tags", "a S-PER\n\nb B-LOC\nc O\n", ConllSchemeError, 3, "b B-LOC"],
    [
      "an unclosed IOBES chunk at a sentence end",
      "a B-PER\nb E-PER\n\nc B-LOC\nd I-LOC\n",
      ConllSchemeError,
      5,
      "d I-LOC"
    ]
  ])("%s", (_, text, tag, line, offending) => {
    const error = failure(text)
    expect(error).toBeInstanceOf(tag)
    expect({ file: error.file, line: error.line, text: error.text }).toStrictEqual({
      file: "bad.conll",
      line,
      text: offending
    })
    expect(error.message).toBe(`bad.conll:${line}: ${error.reason}: ${JSON.stringify(offending)}`)
  })

  it("rejects E- and S- tags in a declared IOB2 or IOB1 file", () => {
    for (const scheme of ["IOB1", "IOB2"] as const) {
      const error = failure("a B-PER\nb E-PER\n", { scheme })
      expect(error).toBeInstanceOf(ConllTagError)
      expect(error.message).toBe(`bad.conll:2: E- tag in an ${scheme} label set: "b E-PER"`)
    }
  })

  it("counts lines after a BOM and CRLF correctly", () => {
    const error = failure("\ufeffa O\r\n\r\nb\r\n")
    expect([error.line, error.text]).toStrictEqual([3, "b"])
  })

  it("decodes an empty file to no sentences", () => {
    const empty: DecodedConll = decoded("")
    expect(empty.sentences).toStrictEqual([])
    expect(decoded("\n\n \n").sentences).toStrictEqual([])
  })
})
