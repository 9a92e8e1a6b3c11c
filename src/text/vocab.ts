import { FileSystem } from "@effect/platform"
import { Effect, Either } from "effect"
import { decodeUtf8 } from "../data/utf8.js"
import { EmptyVocab, InvalidVocabToken, MissingSpecialToken, VocabEncodingError } from "./errors.js"

/** The special tokens BERT cannot work without. */
export const REQUIRED_SPECIAL_TOKENS = ["[UNK]", "[CLS]", "[SEP]", "[PAD]"] as const
/** HF BertTokenizer's special tokens: recognised whole in input text; `[MASK]` may be absent from a vocab. */
export const SPECIAL_TOKENS = [...REQUIRED_SPECIAL_TOKENS, "[MASK]"] as const

/**
 * A BERT vocabulary: token `i` is line `i` of vocab.txt. As in HF's `load_vocab` (a dict filled line by
 * line), a token listed twice maps to its *last* id; the earlier line still occupies its id.
 */
export class Vocab {
  readonly unkId: number
  readonly clsId: number
  readonly sepId: number
  readonly padId: number
  /** The longest token, in code points: no longer candidate can match. */
  readonly maxTokenChars: number

  private constructor(
    readonly tokens: ReadonlyArray<string>,
    private readonly ids: ReadonlyMap<string, number>,
    /** where it came from, for messages */
    readonly source: string
  ) {
    this.unkId = ids.get("[UNK]")!
    this.clsId = ids.get("[CLS]")!
    this.sepId = ids.get("[SEP]")!
    this.padId = ids.get("[PAD]")!
    let max = 0
    for (const t of tokens) max = Math.max(max, [...t].length)
    this.maxTokenChars = max
  }

  get size(): number {
    return this.tokens.length
  }

  /** The id of a token, or undefined when it is not in the vocabulary. */
  id(token: string): number | undefined {
    return this.ids.get(token)
  }

  /** Builds a vocabulary from its tokens in id order, checking what vocab.txt and BERT need. */
  static make(
    tokens: ReadonlyArray<string>,
    source: string
  ): Either.Either<Vocab, EmptyVocab | MissingSpecialToken | InvalidVocabToken> {
    if (tokens.length === 0) return Either.left(new EmptyVocab({ file: source }))
    const ids = new Map<string, number>()
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!
      if (/[\r\n]/.test(token))
        return Either.left(
          new InvalidVocabToken({
            file: source,
            line: i + 1,
            token,
            reason: "a token cannot contain a line break"
          })
        )
      ids.set(token, i)
    }
    for (const token of REQUIRED_SPECIAL_TOKENS)
      if (!ids.has(token)) return Either.left(new MissingSpecialToken({ file: source, token }))
    return Either.right(new Vocab([...tokens], ids, source))
  }
}

/**
 * Parses vocab.txt as HF does (`open(..., encoding="utf-8").readlines()`, then `rstrip("\n")`): lines end
 * at \n, \r\n or \r (Python's universal newlines), nothing else is stripped, a byte-order mark is kept as
 * part of the first token, and a final line break does not start another token.
 */
export const parseVocab = (
  bytes: Uint8Array,
  file: string
): Either.Either<Vocab, EmptyVocab | MissingSpecialToken | InvalidVocabToken | VocabEncodingError> => {
  const decoded = decodeUtf8(bytes, file)
  if (Either.isLeft(decoded)) return Either.left(new VocabEncodingError({ file, line: decoded.left.line }))
  const text = decoded.right
  const lines = text.split(/\r\n|\r|\n/)
  if (lines[lines.length - 1] === "") lines.pop()
  return Vocab.make(lines, file)
}

/** vocab.txt text: one token per line, in id order, each line ending with \n (as HF's `save_vocabulary`). */
export const formatVocab = (vocab: Vocab): string => vocab.tokens.map((t) => `${t}\n`).join("")

/** Reads and checks a vocab.txt. */
export const loadVocab = Effect.fn("Vocab.load")(function* (file: string) {
  const fs = yield* FileSystem.FileSystem
  return yield* parseVocab(yield* fs.readFile(file), file)
})

/** Writes a vocabulary as vocab.txt. */
export const writeVocab = Effect.fn("Vocab.write")(function* (file: string, vocab: Vocab) {
  const fs = yield* FileSystem.FileSystem
  yield* fs.writeFileString(file, formatVocab(vocab))
})
