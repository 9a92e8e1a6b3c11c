import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { parseDictionary, translateWords } from "../../src/translate/dictionary.js"
import { DictionaryFormatError } from "../../src/translate/errors.js"
import { labeledSentence, propOptions, sentence } from "./support.js"

const dictionary = Either.getOrThrow(
  parseDictionary(
    "said said\nsaid dijo\nsaid dicho\nthe el\nthe la\nhouse casa\nBush Bush\nbush arbusto\nok ok\n",
    "en-es.txt"
  )
)

describe("dictionary", () => {
  it("parses MUSE pairs in file order and reports a bad line", () => {
    expect(dictionary.get("said")).toStrictEqual(["said", "dijo", "dicho"])
    expect(Either.getLeft(parseDictionary("a b\nc\n", "d.txt"))._tag === "Some").toBe(true)
    expect(parseDictionary("a b\r\nc d e\n", "d.txt")).toStrictEqual(
      Either.left(
        new DictionaryFormatError({
          file: "d.txt",
          line: 2,
          text: "c d e",
          reason: "expected `ENGLISH TARGET` (one space)"
        })
      )
    )
  })

  it("takes the first non-identity translation, keeps entities and non-words, counts coverage", () => {
    const r = translateWords(
      sentence("The/O house/O said/O Bush/B-PER 12/O ,/O unknown/O ok/O").sentence,
      dictionary
    )
    // The → the (lower-cased lookup) → el, upper-cased back; Bush is an entity: copied;
    // 12 and , have no letter: not looked up; ok has only an identity pair: untranslated.
    expect(r.tokens).toStrictEqual(["El", "casa", "dijo", "Bush", "12", ",", "unknown", "ok"])
    expect(r).toMatchObject({ lookedUp: 5, untranslated: 2 })
    expect(translateWords(sentence("bush/O").sentence, dictionary).tokens).toStrictEqual(["arbusto"])
  })

  it.prop(
    "word by word preserves token count and tags",
    [
      labeledSentence,
      fc.array(fc.tuple(fc.constantFrom("a", "Z", "é", "<", "&"), fc.constantFrom("x", "ب", "中")), {
        maxLength: 10
      })
    ],
    ([s, pairs]) => {
      const dict = Either.getOrThrow(
        parseDictionary(pairs.map(([e, t]) => `${e} ${t}`).join("\n"), "gen.txt")
      )
      const r = translateWords(s, dict)
      expect(r.tokens.length).toBe(s.tokens.length)
      s.tags.forEach((tag, i) => {
        if (tag !== "O") expect(r.tokens[i]).toBe(s.tokens[i])
      })
      expect(r.untranslated).toBeLessThanOrEqual(r.lookedUp)
    },
    propOptions(93)
  )
})
