import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Either } from "effect"
import {
  EmptyVocab,
  InvalidVocabToken,
  MissingSpecialToken,
  VocabEncodingError
} from "../../src/text/errors.js"
import { Vocab, formatVocab, loadVocab, parseVocab, writeVocab } from "../../src/text/vocab.js"
import { tinyVocab, vocabFile } from "./fixture.js"

const bytes = (s: string) => new TextEncoder().encode(s)
const specials = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n"

describe("parseVocab", () => {
  it("gives each line its index as id and reads the required special ids", () => {
    expect(tinyVocab.size).toBe(96)
    expect([tinyVocab.padId, tinyVocab.unkId, tinyVocab.clsId, tinyVocab.sepId]).toEqual([0, 2, 3, 4])
    expect(tinyVocab.id("[MASK]")).toBe(5)
    expect(tinyVocab.id("Köln")).toBe(tinyVocab.tokens.indexOf("Köln"))
    expect(tinyVocab.id("nope")).toBeUndefined()
  })

  it("maps a token listed twice to its last id, as HF's load_vocab (a dict) does", () => {
    expect(tinyVocab.tokens[28]).toBe("e")
    expect(tinyVocab.id("e")).toBe(63)
    expect(tinyVocab.id("##a")).toBe(93)
  })

  it("splits lines like Python's universal newlines and ignores one final line break", () => {
    const v = Either.getOrThrow(parseVocab(bytes(`${specials}a\r\nb\rc\n\n`), "v.txt"))
    expect(v.tokens).toEqual(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "a", "b", "c", ""])
    const noFinal = Either.getOrThrow(parseVocab(bytes(`${specials}x`), "v.txt"))
    expect(noFinal.tokens.at(-1)).toBe("x")
  })

  it("keeps surrounding spaces and a byte-order mark (HF strips only the line break)", () => {
    const v = Either.getOrThrow(parseVocab(bytes(`${specials} a \n\ufeffb\n`), "v.txt"))
    expect(v.tokens.slice(4)).toEqual([" a ", "\ufeffb"])
    // a BOM before [PAD] makes "[PAD]" absent, reported rather than guessed
    expect(parseVocab(bytes(`\ufeff${specials}`), "v.txt")).toStrictEqual(
      Either.left(new MissingSpecialToken({ file: "v.txt", token: "[PAD]" }))
    )
  })

  it("fails on an empty vocabulary", () => {
    expect(parseVocab(bytes(""), "v.txt")).toStrictEqual(Either.left(new EmptyVocab({ file: "v.txt" })))
  })

  it.each(["[UNK]", "[CLS]", "[SEP]", "[PAD]"])("fails when %s is missing", (token) => {
    const text = specials.replace(`${token}\n`, "")
    const result = parseVocab(bytes(text), "v.txt")
    expect(result).toStrictEqual(Either.left(new MissingSpecialToken({ file: "v.txt", token })))
    expect(Either.isLeft(result) && result.left.message).toBe(
      `v.txt: the vocabulary has no ${token} token (BERT needs [UNK], [CLS], [SEP] and [PAD])`
    )
  })

  it("names the line holding invalid UTF-8", () => {
    const good = bytes(`${specials}ok\n`)
    const bad = new Uint8Array([...good, 0x61, 0xff, 0x62, 0x0a, ...bytes("z\n")])
    const result = parseVocab(bad, "v.txt")
    expect(result).toStrictEqual(Either.left(new VocabEncodingError({ file: "v.txt", line: 6 })))
    expect(Either.isLeft(result) && result.left.message).toBe("v.txt:6: not valid UTF-8")
  })
})

describe("Vocab.make", () => {
  it("rejects a token with a line break, naming the line it would take", () => {
    expect(Vocab.make(["[PAD]", "[UNK]", "a\nb", "[CLS]", "[SEP]"], "mem")).toStrictEqual(
      Either.left(
        new InvalidVocabToken({
          file: "mem",
          line: 3,
          token: "a\nb",
          reason: "a token cannot contain a line break"
        })
      )
    )
  })

  it("formatVocab ∘ parseVocab is the identity on tokens", () => {
    const again = Either.getOrThrow(parseVocab(bytes(formatVocab(tinyVocab)), "again"))
    expect(again.tokens).toEqual(tinyVocab.tokens)
  })
})

layer(NodeContext.layer)("loadVocab / writeVocab", (it) => {
  it.scoped("write then load gives the same tokens", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const file = `${yield* fs.makeTempDirectoryScoped()}/vocab.txt`
      yield* writeVocab(file, tinyVocab)
      expect(yield* fs.readFileString(file)).toBe(formatVocab(tinyVocab))
      const loaded = yield* loadVocab(file)
      expect(loaded.tokens).toEqual(tinyVocab.tokens)
      expect(loaded.source).toBe(file)
    })
  )

  it.scoped("fails with the file name when vocab.txt is empty", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const file = `${yield* fs.makeTempDirectoryScoped()}/vocab.txt`
      yield* fs.writeFileString(file, "")
      const error = yield* Effect.flip(loadVocab(file))
      expect(error).toStrictEqual(new EmptyVocab({ file }))
    })
  )

  it.effect("reads the committed fixture", () =>
    Effect.gen(function* () {
      expect((yield* loadVocab(vocabFile)).size).toBe(96)
    })
  )
})
