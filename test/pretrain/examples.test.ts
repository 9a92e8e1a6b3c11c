import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Either, Exit, Layer } from "effect"
import { Corpora } from "../../src/data/Corpora.js"
import { translationPaths } from "../../src/data/datasets.js"
import {
  type ExampleGroup,
  drawBatch,
  groupShares,
  mlmExample,
  packExamples,
  tlmExample
} from "../../src/pretrain/examples.js"
import { readPretrainData } from "../../src/pretrain/sources.js"
import { BertTokenizer } from "../../src/text/bertTokenizer.js"
import { Vocab } from "../../src/text/vocab.js"
import { TestSplitRefused } from "../../src/text/vocabCorpus.js"
import { trainVocabularyOnTokens } from "../../src/text/vocabTrain.js"
import { dataRoot, hasData } from "../support/data.js"

const words = [
  ["EU", "rejects", "German", "call"],
  ["Die", "EU", "lehnt", "ab"]
]
const tokenizer = new BertTokenizer(
  Either.getOrThrow(Vocab.make(Either.getOrThrow(trainVocabularyOnTokens(words, { size: 80 })), "<vocab>"))
)
const { clsId, sepId } = tokenizer.vocab

const masking = {
  probability: 0.15,
  maskId: tokenizer.vocab.id("[MASK]")!,
  vocabSize: tokenizer.vocab.size,
  specialIds: new Set([clsId, sepId, tokenizer.vocab.padId, tokenizer.vocab.unkId]),
  wholeWord: false
}

describe("examples", () => {
  it("a TLM example is [CLS] en [SEP] tgt [SEP] with token types 0 then 1 and distinct word ids", () => {
    const e = tlmExample(tokenizer, words[0]!, words[1]!, 64)
    const en = tokenizer.encodeWords(words[0]!)
    const tgt = tokenizer.encodeWords(words[1]!)
    expect([...e.inputIds]).toStrictEqual([...en.inputIds, ...tgt.inputIds.slice(1)])
    expect(e.inputIds[0]).toBe(clsId)
    expect(e.inputIds[en.inputIds.length - 1]).toBe(sepId)
    expect(e.inputIds[e.inputIds.length - 1]).toBe(sepId)
    expect([...e.tokenTypeIds]).toStrictEqual([
      ...en.inputIds.map(() => 0),
      ...tgt.inputIds.slice(1).map(() => 1)
    ])
    const wordsSeen = new Set(e.wordIds.filter((w) => w >= 0))
    expect(wordsSeen.size).toBe(words[0]!.length + words[1]!.length)
  })

  it("a TLM example fits maxLength, English taking at most half", () => {
    const long = Array.from({ length: 40 }, (_, i) => words[i % 2]![i % 4]!)
    const e = tlmExample(tokenizer, long, long, 32)
    expect(e.inputIds.length).toBeLessThanOrEqual(32)
    expect(e.tokenTypeIds.filter((t) => t === 0).length).toBeLessThanOrEqual(16)
    expect(e.tokenTypeIds).toContain(1)
  })

  it("language shares are XLM's smoothed ones: α = 1 keeps sizes, smaller α evens them", () => {
    const group = (name: string, n: number): ExampleGroup => ({
      name,
      kind: "mlm",
      examples: Array.from({ length: n }, () => mlmExample(tokenizer, words[0]!, 16))
    })
    const groups = [group("a", 900), group("b", 100)]
    expect(groupShares(groups, 1)).toStrictEqual([0.9, 0.1])
    const [a, b] = groupShares(groups, 0.7)
    // 0.9^0.7 / (0.9^0.7 + 0.1^0.7) = 0.92890 / (0.92890 + 0.19953) = 0.82318
    expect(a).toBeCloseTo(0.823, 3)
    expect(b).toBeCloseTo(0.177, 3)
  })
})

layer(Layer.mergeAll(NodeContext.layer, Corpora.at(dataRoot)))("readPretrainData", (it) => {
  it.effect("refuses a test split before reading anything", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        readPretrainData(["conll/en/train", "wikiann/de/test"], tokenizer, {
          maxLength: 32,
          heldOut: 0,
          seed: 1
        })
      )
      expect(exit).toStrictEqual(
        Exit.fail(new TestSplitRefused({ source: "wikiann/de/test", reason: "a test split" }))
      )
    })
  )

  describe.skipIf(!hasData)("on the real data", () => {
    it.effect("TLM pairs are true translations: English sentence src_idx[i] with target sentence i", () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const corpora = yield* Corpora
        const id = { system: "mulda", lang: "nl" } as const
        const data = yield* readPretrainData(["translations/mulda/nl"], tokenizer, {
          maxLength: 64,
          heldOut: 0,
          seed: 1
        })
        const [group] = data.groups
        expect(group?.name).toBe("en-nl")
        const srcIdx = (yield* fs.readFileString(path.join(dataRoot, translationPaths(id).srcIdx)))
          .split("\n")
          .filter((l) => l.trim() !== "")
          .map(Number)
        const english = (yield* corpora.load({ corpus: "conll", lang: "en", split: "train" })).sentences
        const targets = (yield* corpora.translations(id, "keep")).sentences
        const expected = srcIdx.flatMap((e, i) =>
          e === -1 ? [] : [tlmExample(tokenizer, english[e]!.tokens, targets[i]!.tokens, 64)]
        )
        expect(group!.examples.length).toBe(expected.length)
        expect(group!.examples).toStrictEqual(expected)
      })
    )

    it.effect("holds out dev sentences per language and trains on the rest", () =>
      Effect.gen(function* () {
        const data = yield* readPretrainData(["conll/nl/dev", "conll/nl/train"], tokenizer, {
          maxLength: 32,
          heldOut: 50,
          seed: 1
        })
        const corpora = yield* Corpora
        const dev = (yield* corpora.load({ corpus: "conll", lang: "nl", split: "dev" })).sentences.length
        const train = (yield* corpora.load({ corpus: "conll", lang: "nl", split: "train" })).sentences.length
        expect(data.heldOut).toHaveLength(1)
        expect(data.heldOut[0]!.examples).toHaveLength(50)
        expect(data.groups.map((g) => [g.name, g.examples.length])).toStrictEqual([["nl", train + dev - 50]])
        expect(data.files.map((f) => path.relative(dataRoot, f))).toStrictEqual([
          "conll/nl/dev.txt",
          "conll/nl/train.txt"
        ])
      })
    )
  })

  it("packing joins sentences as [CLS] a [SEP] b [SEP] with distinct word ids", () => {
    const [a, b] = words.map((w) => mlmExample(tokenizer, w, 64))
    const packed = packExamples([a!, b!])
    expect([...packed.inputIds]).toStrictEqual([...a!.inputIds, ...b!.inputIds.slice(1)])
    expect(packed.inputIds.filter((id) => id === clsId)).toHaveLength(1)
    expect(packed.inputIds.filter((id) => id === sepId)).toHaveLength(2)
    expect(new Set(packed.wordIds.filter((w) => w >= 0)).size).toBe(words[0]!.length + words[1]!.length)
  })

  it("a packed batch fills rows up to packTo, never past it, and leaves TLM pairs alone", () => {
    const mlm: ExampleGroup = {
      name: "en",
      kind: "mlm",
      examples: words.map((w) => mlmExample(tokenizer, w, 64))
    }
    const tlm: ExampleGroup = {
      name: "en-de",
      kind: "tlm",
      examples: [tlmExample(tokenizer, words[0]!, words[1]!, 64)]
    }
    const options = { seed: 3, batchSize: 16, masking, padId: tokenizer.vocab.padId, packTo: 40 }
    const packed = drawBatch([mlm], [1], options, 0)
    const single = Math.max(...mlm.examples.map((e) => e.inputIds.length))
    expect(packed.length).toBeLessThanOrEqual(40)
    expect(packed.length).toBeGreaterThan(single)
    const pairs = drawBatch([tlm], [1], options, 0)
    expect(pairs.length).toBe(tlm.examples[0]!.inputIds.length)
  })

  it("rows are drawn from groups at their smoothed shares", () => {
    const group = (name: string, n: number): ExampleGroup => ({
      name,
      kind: "mlm",
      examples: Array.from({ length: n }, () => mlmExample(tokenizer, words[0]!, 16))
    })
    const groups = [group("a", 900), group("b", 100)]
    const shares = groupShares(groups, 0.5)
    const options = { seed: 1, batchSize: 100, masking, padId: tokenizer.vocab.padId }
    const drawn = Array.from(
      { length: 40 },
      (_, step) => drawBatch(groups, shares, options, step).groups
    ).flat()
    const b = drawn.filter((g) => g === "b").length / drawn.length
    // 4,000 draws: the binomial standard deviation of the share is ~0.007
    expect(Math.abs(b - shares[1]!)).toBeLessThan(0.03)
  })
})
