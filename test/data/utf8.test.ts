import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { NodeContext } from "@effect/platform-node"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc } from "effect"
import { Corpora } from "../../src/data/Corpora.js"
import { decodeConll } from "../../src/data/conll.js"
import { Utf8Error } from "../../src/data/errors.js"
import { MAX_QUOTED, quoteExcerpt } from "../../src/data/lineError.js"
import { decodeUtf8, firstInvalidUtf8, readTextFile } from "../../src/data/utf8.js"
import { removeTempDirs, tempDir } from "../support/tempDir.js"
import { propOptions } from "./arbitraries.js"

afterAll(removeTempDirs)

const bytes = (s: string) => new Uint8Array(Buffer.from(s, "utf8"))
const concat = (...parts: ReadonlyArray<Uint8Array>) => new Uint8Array(Buffer.concat(parts))

const root = tempDir("concner-utf8-")

describe("strict UTF-8", () => {
  it("finds the line and byte of the first invalid sequence", () => {
    const latin1 = (s: string) => new Uint8Array(Buffer.from(s, "latin1"))
    expect(firstInvalidUtf8(latin1("ab\ncd\xffe"))).toStrictEqual({ line: 2, column: 3, byte: 0xff })
    // a character cut short: the error is at its lead byte, at a line end or before an ASCII byte
    expect(firstInvalidUtf8(latin1("ab\ncd\xe2\x82\nx"))).toStrictEqual({ line: 2, column: 3, byte: 0xe2 })
    expect(firstInvalidUtf8(latin1("\xe2\x82\xacx\xe2A"))).toStrictEqual({ line: 1, column: 5, byte: 0xe2 })
    expect(firstInvalidUtf8(latin1("\xed\xa0\x80"))).toStrictEqual({ line: 1, column: 1, byte: 0xed })
    expect(firstInvalidUtf8(bytes("Zürich\n日本\n"))).toBeUndefined()
  })

  it.prop(
    "valid lines around one invalid byte: the error names that line, and valid text decodes as Node does",
    [
      fc.array(
        fc.string({ unit: "grapheme" }).filter((s) => !s.includes("\n")),
        { maxLength: 6 }
      ),
      fc.nat(6)
    ],
    ([lines, at]) => {
      const text = lines.join("\n")
      expect(decodeUtf8(bytes(text), "f")).toStrictEqual(
        Either.right(Buffer.from(text, "utf8").toString("utf8"))
      )
      const line = Math.min(at, lines.length)
      const head = lines
        .slice(0, line)
        .map((l) => `${l}\n`)
        .join("")
      const broken = concat(bytes(head), new Uint8Array([0xc3, 0x28]), bytes(lines.slice(line).join("\n")))
      const error = Either.flip(decodeUtf8(broken, "f")).pipe(Either.getOrThrow)
      expect(error).toBeInstanceOf(Utf8Error)
      expect([error.line, error.column, error.byte]).toStrictEqual([line + 1, 1, 0xc3])
    },
    propOptions(28)
  )

  it.effect("a corpus file with an invalid byte is file:line, not U+FFFD", () =>
    Effect.gen(function* () {
      mkdirSync(join(root, "conll/en"), { recursive: true })
      const file = join(root, "conll/en/train.txt")
      writeFileSync(
        file,
        concat(bytes("EU B-ORG\nrejects O\n\nPeter B-PER\nM"), new Uint8Array([0xfc]), bytes("ller I-PER\n"))
      )
      const error = yield* Effect.flip((yield* Corpora).load({ corpus: "conll", lang: "en", split: "train" }))
      expect(error.message).toBe(
        `${file}:5: not valid UTF-8 (byte 0xfc at byte 2 of the line): save the file as UTF-8`
      )
      const direct = yield* Effect.flip(readTextFile(file))
      expect(direct).toBeInstanceOf(Utf8Error)
    }).pipe(Effect.provide([NodeContext.layer, Corpora.at(root)]))
  )
})

describe("quoted text in errors", () => {
  it("a 1 MB bad line gives a message under 1 KB that still starts with the line", () => {
    const line = "x".repeat(1 << 20)
    const error = Either.flip(decodeConll(`Peter B-PER\n${line}\n`, "big.conll")).pipe(Either.getOrThrow)
    expect(error.message.length).toBeLessThan(1024)
    expect(error.message).toMatch(
      /^big\.conll:2: expected 2 or more columns .*: "x{200}"… \(1048576 characters\)$/
    )
    const tag = Either.flip(decodeConll(`Peter X-${"P".repeat(1 << 20)}\n`, "tag.conll")).pipe(
      Either.getOrThrow
    )
    expect(tag.message.length).toBeLessThan(1024)
  })

  it("never cuts a surrogate pair", () => {
    const text = `${"a".repeat(MAX_QUOTED - 1)}😀😀`
    expect(quoteExcerpt(text)).toBe(
      `${JSON.stringify("a".repeat(MAX_QUOTED - 1))}… (${text.length} characters)`
    )
    expect(quoteExcerpt("short")).toBe('"short"')
  })
})
