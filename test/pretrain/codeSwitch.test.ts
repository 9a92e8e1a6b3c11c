import * as path from "node:path"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Either, Layer, FastCheck as fc } from "effect"
import { Corpora } from "../../src/data/Corpora.js"
import { codeSwitch } from "../../src/pretrain/codeSwitch.js"
import { CODE_SWITCH_GROUP, readPretrainData } from "../../src/pretrain/sources.js"
import { BertTokenizer } from "../../src/text/bertTokenizer.js"
import { Vocab } from "../../src/text/vocab.js"
import { trainVocabularyOnTokens } from "../../src/text/vocabTrain.js"
import { parseDictionary } from "../../src/translate/dictionary.js"
import { dataRoot, hasData } from "../support/data.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)
const de = Either.getOrThrow(parseDictionary("the der\nthe die\nhouse haus\nred rot\nbush busch\n", "de"))
const es = Either.getOrThrow(parseDictionary("the el\nhouse casa\nred rojo\n", "es"))
const dictionaries = [
  { lang: "de", dictionary: de },
  { lang: "es", dictionary: es }
]

describe("codeSwitch", () => {
  it("ratio 1 switches every word with an entry (first non-identity entry, case kept) and nothing else", () => {
    const { words, switchedTo } = codeSwitch(["The", "red", "house", "of", "Bush", "."], dictionaries, 1, "k")
    // "of" has no entry, "Bush" is a capitalised non-initial word (a likely name), "." is no word
    expect(words[0]).toMatch(/^(Der|El)$/)
    expect(words[1]).toMatch(/^(rot|rojo)$/)
    expect(words[2]).toMatch(/^(haus|casa)$/)
    expect(words.slice(3)).toStrictEqual(["of", "Bush", "."])
    expect(switchedTo.slice(3)).toStrictEqual([undefined, undefined, undefined])
    switchedTo.slice(0, 3).forEach((lang, i) => {
      expect(lang === "de" ? ["Der", "rot", "haus"][i] : ["El", "rojo", "casa"][i]).toBe(words[i])
    })
  })

  it.prop(
    "keeps the token count, is a function of its key, and switches about `ratio` of the switchable words",
    [fc.integer({ min: 1, max: 9 }).map((r) => r / 10), fc.string({ minLength: 1, maxLength: 8 })],
    ([ratio, key]) => {
      const sentence = Array.from({ length: 400 }, (_, i) => ["the", "red", "house"][i % 3]!)
      const a = codeSwitch(sentence, dictionaries, ratio, key)
      expect(a.words).toHaveLength(sentence.length)
      expect(codeSwitch(sentence, dictionaries, ratio, key)).toStrictEqual(a)
      const share = a.switchedTo.filter((l) => l !== undefined).length / sentence.length
      // 400 Bernoulli draws: standard deviation ≤ 0.025
      expect(Math.abs(share - ratio)).toBeLessThan(0.1)
      // every switched word is a translation into the language recorded for it
      a.switchedTo.forEach((lang, i) => {
        if (lang === undefined) expect(a.words[i]).toBe(sentence[i])
        else expect((lang === "de" ? de : es).get(sentence[i]!)).toContain(a.words[i])
      })
    },
    { fastCheck: { numRuns: Math.min(numRuns, 50), seed: 7 } }
  )
})

const tokenizer = new BertTokenizer(
  Either.getOrThrow(
    Vocab.make(
      // every Latin letter its own piece, so a switched word changes the ids (it is not [UNK] either way)
      Either.getOrThrow(
        trainVocabularyOnTokens([["abcdefghijklmnopqrstuvwxyzäöüßéèñáíóúABCDEFGHIJKLMNOPQRSTUVWXYZ"]], {
          size: 200
        })
      ),
      "<vocab>"
    )
  )
)

layer(Layer.mergeAll(NodeContext.layer, Corpora.at(dataRoot)))("readPretrainData with codeSwitch", (it) => {
  describe.skipIf(!hasData)("on the real data", () => {
    it.effect(
      "adds one code-switched copy of each English training sentence and records the dictionaries",
      () =>
        Effect.gen(function* () {
          const options = { maxLength: 32, heldOut: 0, seed: 1 }
          const plain = yield* readPretrainData(["conll/en/train"], tokenizer, options)
          const switched = yield* readPretrainData(["conll/en/train"], tokenizer, {
            ...options,
            codeSwitch: { langs: ["de", "es"], ratio: 0.3 }
          })
          const en = plain.groups[0]!
          const cs = switched.groups.find((g) => g.name === CODE_SWITCH_GROUP)!
          expect(cs.kind).toBe("mlm")
          expect(cs.examples).toHaveLength(en.examples.length)
          const differing = cs.examples.filter(
            (e, i) => e.inputIds.join() !== en.examples[i]!.inputIds.join()
          )
          // CoNLL English has many headlines, scores and all-caps lines (names are kept), so ~40 %, not all
          expect(differing.length).toBeGreaterThan(en.examples.length / 4)
          expect(switched.files.map((f) => path.relative(dataRoot, f))).toStrictEqual([
            "conll/en/train.txt",
            "dictionaries/muse/en-de.txt",
            "dictionaries/muse/en-es.txt"
          ])
        })
    )

    it.effect("fails clearly on a language without a dictionary", () =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(
          readPretrainData(["conll/en/train"], tokenizer, {
            maxLength: 32,
            heldOut: 0,
            seed: 1,
            codeSwitch: { langs: ["xx"], ratio: 0.3 }
          })
        )
        expect(error.message).toContain("en-xx.txt")
      })
    )
  })
})
