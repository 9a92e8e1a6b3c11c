/**
 * XLM-R's tokenizer against Debian's python3-sentencepiece: `test/fixtures/xlmr/tokenization.json`
 * holds what the library itself returned (generate.py) for multi-script text with NFKC-relevant
 * characters, unknown characters and 150+-character words; ids here must be those, mapped to fairseq's.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { expect, layer } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { loadTokenizer } from "../../src/text/Tokenizer.js"
import { type InvalidSentencePieceModel, MissingTokenizerFile } from "../../src/text/errors.js"
import {
  SENTENCEPIECE_FILE,
  type SentencePieceTokenizer,
  loadSentencePieceTokenizer
} from "../../src/text/sentencePieceTokenizer.js"

const FIXTURES = fileURLToPath(new URL("../fixtures/xlmr", import.meta.url))
const MODEL = `${FIXTURES}/tiny/${SENTENCEPIECE_FILE}`
const expected = JSON.parse(readFileSync(`${FIXTURES}/tokenization.json`, "utf8")) as {
  readonly pieces: number
  readonly texts: ReadonlyArray<{ text: string; pieces: Array<string>; ids: Array<number> }>
  readonly words: ReadonlyArray<{
    words: Array<string>
    pieces: Array<Array<string>>
    ids: Array<Array<number>>
  }>
}
// HF XLMRobertaTokenizer._convert_token_to_id: SentencePiece's <unk> (0) is fairseq's 3, the rest shift by 1
const fairseq = (spmId: number) => (spmId === 0 ? 3 : spmId + 1)

const failure = <A, E>(exit: Exit.Exit<A, E>) => (Exit.isFailure(exit) ? exit.cause : undefined)

layer(NodeContext.layer)("SentencePieceTokenizer", (it) => {
  const load = loadSentencePieceTokenizer(MODEL)

  it.effect("has fairseq's vocabulary: <s> <pad> </s> <unk>, the pieces + 1, <mask> last", () =>
    Effect.gen(function* () {
      const t = yield* load
      expect(t.vocab.size).toBe(expected.pieces + 2)
      expect(t.vocab.tokens.slice(0, 4)).toEqual(["<s>", "<pad>", "</s>", "<unk>"])
      expect(t.vocab.tokens.at(-1)).toBe("<mask>")
      expect([t.vocab.clsId, t.vocab.padId, t.vocab.sepId, t.vocab.unkId, t.vocab.maskId]).toEqual([
        0,
        1,
        2,
        3,
        expected.pieces + 1
      ])
    })
  )

  it.effect("encodes every fixture text exactly as python3-sentencepiece does", () =>
    Effect.gen(function* () {
      const t = yield* load
      expect(expected.texts.some((x) => x.text.length >= 150)).toBe(true)
      for (const { text, pieces, ids } of expected.texts) {
        const encoded = t.encodeText(text)
        expect({ text, ids: encoded.inputIds }).toEqual({ text, ids: [0, ...ids.map(fairseq), 2] })
        // a known piece keeps its spelling; an unknown one reads <unk> (convert_ids_to_tokens)
        const spelled = pieces.map((p, i) => (ids[i] === 0 ? "<unk>" : p))
        expect(encoded.tokens).toEqual(["<s>", ...spelled, "</s>"])
      }
    })
  )

  it.effect("encodes NER words one by one, each with its own ▁, first subword labelled", () =>
    Effect.gen(function* () {
      const t: SentencePieceTokenizer = yield* load
      for (const { words, ids } of expected.words) {
        const labels = words.map((_, i) => i % 3)
        const encoded = t.encodeWords(words, labels, 512)
        // a word SentencePiece turns into nothing becomes one <unk>, as in the WordPiece tokenizer
        const perWord = ids.map((w) => (w.length === 0 ? [3] : w.map(fairseq)))
        expect(encoded.inputIds).toEqual([0, ...perWord.flat(), 2])
        expect(encoded.emptyWords).toEqual(ids.flatMap((w, i) => (w.length === 0 ? [i] : [])))
        let position = 1
        perWord.forEach((w, i) => {
          expect(encoded.labelPositions[i]).toBe(position)
          expect(encoded.labels?.[position]).toBe(labels[i])
          for (let j = 1; j < w.length; j++) expect(encoded.labels?.[position + j]).toBe(-100)
          position += w.length
        })
        expect(encoded.wordIds).toEqual([-1, ...perWord.flatMap((w, i) => w.map(() => i)), -1])
      }
    })
  )

  it.effect("truncation drops whole words and reports how many were kept", () =>
    Effect.gen(function* () {
      const t = yield* load
      const words = ["Peter", "Blackburn", "Straße", "Москва"]
      const full = t.encodeWords(words, undefined, 512)
      const firstTwo = full.wordIds.filter((w) => w === 0 || w === 1).length
      const cut = t.encodeWords(words, undefined, firstTwo + 2)
      expect(cut.keptWords).toBe(2)
      expect(cut.inputIds).toEqual([...full.inputIds.slice(0, firstTwo + 1), 2])
    })
  )

  it.scoped("loadTokenizer picks SentencePiece in a folder with sentencepiece.bpe.model", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.copyFile(MODEL, `${dir}/${SENTENCEPIECE_FILE}`)
      const t = yield* loadTokenizer(dir)
      expect(t.kind).toBe("sentencepiece")
      const empty = yield* fs.makeTempDirectoryScoped()
      const cause = failure(yield* Effect.exit(loadTokenizer(empty)))
      expect(String(cause)).toContain("MissingTokenizerFile")
      expect(new MissingTokenizerFile({ dir: empty, wanted: "x" }).message).toContain(empty)
    })
  )

  it.scoped("a broken, truncated or foreign model file fails with the file and what is wrong", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const bytes = yield* fs.readFile(MODEL)
      const cases: Array<readonly [string, Uint8Array, string]> = [
        ["truncated", bytes.subarray(0, 5000), "broken protobuf"],
        ["text", new TextEncoder().encode("this is not a protobuf at all\n"), "broken protobuf"],
        ["empty", new Uint8Array(0), "no pieces"],
        ["json", new TextEncoder().encode('{"model": {"type": "Unigram"}}'), "broken protobuf"]
      ]
      for (const [name, data, reason] of cases) {
        const file = `${dir}/${name}.model`
        yield* fs.writeFile(file, data)
        const exit = yield* Effect.exit(loadSentencePieceTokenizer(file))
        expect(Exit.isFailure(exit)).toBe(true)
        const error = Exit.isFailure(exit) ? exit.cause : undefined
        expect(String(error)).toContain("InvalidSentencePieceModel")
        const message = (
          error !== undefined && "error" in error ? (error.error as InvalidSentencePieceModel).message : ""
        ) as string
        expect(message).toContain(file)
        expect(message).toContain(reason)
      }
    })
  )
})
