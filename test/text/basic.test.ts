import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { basicTokenize } from "../../src/text/basic.js"
import {
  isChineseChar,
  isControl,
  isPunctuation,
  isRemoved,
  isWhitespace,
  splitsWords
} from "../../src/text/chars.js"
import { numRuns, seed } from "./fixture.js"

const texts = (s: string) => basicTokenize(s).map((t) => t.text)

describe("character classes (HF tokenization_utils)", () => {
  it("control = category C* except \\t \\n \\r, including format characters", () => {
    for (const c of [
      "\u0000",
      "\u0007",
      "\u007f",
      "\u0085",
      "\u200b",
      "\u200c",
      "\u200d",
      "\ufeff",
      "\u00ad",
      "\ue000"
    ])
      expect(isControl(c), `U+${c.codePointAt(0)!.toString(16)}`).toBe(true)
    for (const c of ["\t", "\n", "\r", " ", "a", "\u00a0", "é"]) expect(isControl(c)).toBe(false)
  })

  it("whitespace = space, \\t, \\n, \\r or Zs; U+2028/U+2029 only split words (Python str.split)", () => {
    for (const c of [" ", "\t", "\n", "\r", "\u00a0", "\u3000", "\u2009", "\u1680"])
      expect(isWhitespace(c)).toBe(true)
    for (const c of ["\u2028", "\u2029", "\u200b", "\u000b", "a"]) expect(isWhitespace(c)).toBe(false)
    expect(splitsWords("\u2028") && splitsWords("\u2029")).toBe(true)
  })

  it("punctuation = all non-alphanumeric printable ASCII, or category P*", () => {
    for (const c of "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") expect(isPunctuation(c), c).toBe(true)
    for (const c of ["¿", "«", "»", "…", "„", "。", "、", "‐", "§"]) expect(isPunctuation(c), c).toBe(true)
    // symbols outside ASCII are not punctuation (categories S*)
    for (const c of ["€", "£", "©", "a", "°", "±", "😀"]) expect(isPunctuation(c), c).toBe(false)
  })

  it("CJK ideographs are HF's ranges only (not kana or hangul)", () => {
    for (const c of ["中", "国", "\u3400", "\u{20000}", "\uf900", "\u{2f800}"])
      expect(isChineseChar(c.codePointAt(0)!)).toBe(true)
    for (const c of ["あ", "カ", "한", "a", "。"]) expect(isChineseChar(c.codePointAt(0)!)).toBe(false)
  })

  it("NUL and U+FFFD are removed", () => {
    expect(isRemoved("\u0000") && isRemoved("\ufffd")).toBe(true)
  })
})

describe("basicTokenize (mBERT cased)", () => {
  it("splits on whitespace and punctuation", () => {
    expect(texts("Hello, world! (it's)")).toEqual(["Hello", ",", "world", "!", "(", "it", "'", "s", ")"])
    expect(texts("U.S.A. $5-10")).toEqual(["U", ".", "S", ".", "A", ".", "$", "5", "-", "10"])
    expect(texts("¿Qué? «Sí»…")).toEqual(["¿", "Qué", "?", "«", "Sí", "»", "…"])
  })

  it("keeps case and accents (no lowercasing, no stripping)", () => {
    expect(texts("Köln São Łódź ÉCOLE")).toEqual(["Köln", "São", "Łódź", "ÉCOLE"])
    // decomposed accents stay decomposed: HF does not normalize in cased mode
    expect(texts("Ko\u0308ln")).toEqual(["Ko\u0308ln"])
  })

  it("splits each CJK ideograph but not kana or hangul", () => {
    expect(texts("我爱北京abc天安门")).toEqual(["我", "爱", "北", "京", "abc", "天", "安", "门"])
    expect(texts("ひらがなカタカナ 한국어")).toEqual(["ひらがなカタカナ", "한국어"])
  })

  it("removes control and format characters without splitting the word", () => {
    expect(texts("a\u200bb c\u0000d e\ufffdf g\u00adh")).toEqual(["ab", "cd", "ef", "gh"])
    expect(texts("\u200b \ufeff\u0007")).toEqual([])
  })

  it("splits on tabs, newlines, Zs spaces and U+2028", () => {
    expect(texts("a\tb\nc\r\nd\u00a0e\u3000f\u2028g\u2029h")).toEqual([
      "a",
      "b",
      "c",
      "d",
      "e",
      "f",
      "g",
      "h"
    ])
  })

  it("keeps a whitespace token from neverSplit whole", () => {
    expect(basicTokenize("x [CLS] y[CLS]", new Set(["[CLS]"])).map((t) => t.text)).toEqual([
      "x",
      "[CLS]",
      "y",
      "[",
      "CLS",
      "]"
    ])
  })

  it("offsets point at each code point in the input, astral ones included", () => {
    const input = " 😀x\u200by, 中"
    const tokens = basicTokenize(input)
    expect(tokens.map((t) => [t.text, t.offsets])).toEqual([
      ["😀xy", [1, 3, 5]],
      [",", [6]],
      ["中", [8]]
    ])
  })

  // characters from every class the tokenizer treats differently
  const char = fc.constantFrom(
    ..."aZé0 \t\n\r\u00a0\u3000\u2028\u200b\u200d\ufeff\u0000\ufffd\u0007.,'-!¿«中国あ한😀\u0301€"
  )
  const text = fc.array(char, { maxLength: 30 }).map((cs) => cs.join(""))

  it.prop(
    "tokens are the input's kept characters, in order, with true offsets",
    [text],
    ([input]) => {
      const tokens = basicTokenize(input)
      const kept = [...input].filter((c) => !isRemoved(c) && !splitsWords(c)).join("")
      expect(tokens.map((t) => t.text).join("")).toBe(kept)
      for (const t of tokens) {
        expect(t.text.length).toBeGreaterThan(0)
        t.chars.forEach((c, i) => expect(input.slice(t.offsets[i]!, t.offsets[i]! + c.length)).toBe(c))
        // a punctuation or CJK character is always a token of its own
        if (t.chars.some((c) => isPunctuation(c) || isChineseChar(c.codePointAt(0)!)))
          expect(t.chars.length).toBe(1)
      }
    },
    { fastCheck: { numRuns, seed } }
  )
})
