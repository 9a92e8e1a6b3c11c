import { FileSystem, Path } from "@effect/platform"
import { Context, Effect, Layer, Schema } from "effect"
import { BertTokenizer } from "./bertTokenizer.js"
import { InvalidTokenizerConfig, MissingTokenizerFile, UnsupportedTokenizerConfig } from "./errors.js"
import {
  SENTENCEPIECE_FILE,
  type SentencePieceTokenizer,
  loadSentencePieceTokenizer
} from "./sentencePieceTokenizer.js"
import { loadVocab } from "./vocab.js"

/**
 * A model's subword tokenizer: WordPiece (BERT, `vocab.txt`) or SentencePiece (XLM-R,
 * `sentencepiece.bpe.model`). Both encode raw text (`encodeText`) and NER words (`encodeWords`) the same
 * way around the subwords, and name their padding id `vocab.padId`; `kind` tells them apart where only
 * one applies (vocabulary trimming, pretraining: WordPiece only).
 */
export type SubwordTokenizer = BertTokenizer | SentencePieceTokenizer

/**
 * The fields of HF's tokenizer_config.json that change BertTokenizer's output. Other fields (class name,
 * model_max_length, special token spellings…) are ignored.
 */
const TokenizerConfig = Schema.Struct({
  do_lower_case: Schema.optional(Schema.Boolean),
  strip_accents: Schema.optional(Schema.NullOr(Schema.Boolean)),
  tokenize_chinese_chars: Schema.optional(Schema.Boolean),
  do_basic_tokenize: Schema.optional(Schema.Boolean)
})

/**
 * tokenizer_config.json for a directory this tokenizer wrote: mBERT-cased's settings, which HF's
 * `AutoTokenizer`/`BertTokenizer.from_pretrained` read back as the same tokenizer.
 */
export const casedTokenizerConfig = {
  tokenizer_class: "BertTokenizer",
  do_lower_case: false,
  strip_accents: null,
  tokenize_chinese_chars: true,
  model_max_length: 512
} as const

// this tokenizer is mBERT-cased's; a config asking for anything else must not be silently ignored
const unsupported = (
  file: string,
  config: typeof TokenizerConfig.Type
): UnsupportedTokenizerConfig | undefined => {
  const bad = (option: string, value: unknown, reason: string) =>
    new UnsupportedTokenizerConfig({ file, option, value: JSON.stringify(value), reason })
  if (config.do_lower_case === true) return bad("do_lower_case", true, "only cased models are supported")
  if (config.strip_accents === true) return bad("strip_accents", true, "accent stripping is not supported")
  if (config.tokenize_chinese_chars === false)
    return bad("tokenize_chinese_chars", false, "CJK characters are always split")
  if (config.do_basic_tokenize === false)
    return bad("do_basic_tokenize", false, "basic tokenization is always on")
  return undefined
}

/**
 * Reads a model directory's tokenizer: `sentencepiece.bpe.model` where there is one (XLM-R), else
 * vocab.txt and its tokenizer_config.json when present (absent, the cased settings are assumed — note
 * HF's own default would lowercase).
 */
export const loadTokenizer = Effect.fn("Tokenizer.load")(function* (dir: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const sentencePiece = path.join(dir, SENTENCEPIECE_FILE)
  if (yield* fs.exists(sentencePiece)) return yield* loadSentencePieceTokenizer(sentencePiece)
  const vocabFile = path.join(dir, "vocab.txt")
  if (!(yield* fs.exists(vocabFile)))
    return yield* new MissingTokenizerFile({
      dir,
      wanted: `vocab.txt (BERT) or ${SENTENCEPIECE_FILE} (XLM-R) is needed (HF tokenizer.json alone is not read)`
    })
  return yield* loadBertTokenizer(dir)
})

const loadBertTokenizer = Effect.fn("Tokenizer.loadBert")(function* (dir: string) {
  const fs = yield* FileSystem.FileSystem
  const path = yield* Path.Path
  const configFile = path.join(dir, "tokenizer_config.json")
  if (yield* fs.exists(configFile)) {
    const json = yield* fs.readFileString(configFile)
    const config = yield* Schema.decodeUnknown(Schema.parseJson(TokenizerConfig))(json).pipe(
      Effect.mapError((e) => new InvalidTokenizerConfig({ file: configFile, reason: e.message }))
    )
    const problem = unsupported(configFile, config)
    if (problem !== undefined) return yield* problem
  }
  return new BertTokenizer(yield* loadVocab(path.join(dir, "vocab.txt")))
})

/** What a saved checkpoint folder needs of a tokenizer: the vocabulary, and SentencePiece's model file. */
export interface TokenizerFiles {
  /** the vocabulary in id order (WordPiece: vocab.txt's lines) */
  readonly vocab: ReadonlyArray<string>
  /** `sentencepiece.bpe.model`'s bytes: the folder is an XLM-R one */
  readonly sentencePiece?: Uint8Array
}

export const tokenizerFiles = (tokenizer: SubwordTokenizer): TokenizerFiles =>
  tokenizer.kind === "wordpiece"
    ? { vocab: tokenizer.vocab.tokens }
    : { vocab: tokenizer.vocab.tokens, sentencePiece: tokenizer.modelBytes }

/** The tokenizer of the model in use, as a service. */
export class Tokenizer extends Context.Tag("concner/Tokenizer")<Tokenizer, SubwordTokenizer>() {
  /** The tokenizer of the HF-layout model directory `dir`. */
  static fromModelDir = (dir: string) => Layer.effect(Tokenizer, loadTokenizer(dir))
}
