/**
 * XLM-R's tokenizer (HF `XLMRobertaTokenizer`): SentencePiece over the model's own
 * `sentencepiece.bpe.model`, with fairseq's ids on top (`<s>` 0, `<pad>` 1, `</s>` 2, `<unk>` 3,
 * SentencePiece id + 1 for every other piece, `<mask>` last). The segmentation itself — the
 * precompiled NFKC charsmap, whitespace handling, the unigram (or BPE) search — is SentencePiece's own
 * C++ compiled to WebAssembly (`@agnai/sentencepiece-js`, which embeds the wasm: no download, no
 * native build), so ids are those of Debian's `python3-sentencepiece` byte for byte (tested on
 * fixtures it made), not an approximation of them.
 */
import { createRequire } from "node:module"
import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import {
  type TextEncoding,
  type WordEncoding,
  type WordSplitter,
  type WordSubword,
  encodeSubwordSequence,
  encodeWordSequence,
  memoizeWords
} from "./encoding.js"
import { InvalidSentencePieceModel } from "./errors.js"
import { PieceType, type SentencePieceModel, decodeSentencePieceModel } from "./sentencePieceModel.js"

/** The SentencePiece model file of an HF XLM-R folder. */
export const SENTENCEPIECE_FILE = "sentencepiece.bpe.model"

/** The part of `@agnai/sentencepiece-js`'s processor concner uses (the package ships no types). */
interface WasmProcessor {
  load(file: string): Promise<void>
  encodeIds(text: string): Array<number>
  readonly sentencepiece: { StringView: new (s: string) => { getView(): unknown; delete(): void } }
  readonly processor: { PieceToId(view: unknown): number }
}
const { SentencePieceProcessor } = createRequire(import.meta.url)("@agnai/sentencepiece-js") as {
  readonly SentencePieceProcessor: new () => WasmProcessor
}

/** fairseq's dictionary head, which XLM-R's embedding rows follow (HF `fairseq_tokens_to_ids`). */
const FAIRSEQ_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"] as const
const OFFSET = 1 // HF `fairseq_offset`

/** An XLM-R vocabulary in embedding-row order, as HF's `XLMRobertaTokenizer.get_vocab` lists it. */
export class SentencePieceVocab {
  readonly clsId = 0
  readonly padId = 1
  readonly sepId = 2
  readonly unkId = 3
  readonly maskId: number

  constructor(
    readonly tokens: ReadonlyArray<string>,
    readonly source: string
  ) {
    this.maskId = tokens.length - 1
  }

  get size(): number {
    return this.tokens.length
  }

  /** The row of SentencePiece id `spmId` (HF `_convert_token_to_id`: SentencePiece's `<unk>` 0 → 3). */
  fromSentencePiece(spmId: number): number {
    return spmId === 0 ? this.unkId : spmId + OFFSET
  }

  /** HF's vocabulary for a model's pieces: pieces 0–2 must be `<unk>`, `<s>`, `</s>`, as in XLM-R's. */
  static fromModel(model: SentencePieceModel, source: string): SentencePieceVocab | string {
    const head = model.pieces.slice(0, 3).map((p) => p.piece)
    if (head.join() !== "<unk>,<s>,</s>" || model.pieces[0]!.type !== PieceType.unknown)
      return `pieces 0–2 are ${JSON.stringify(head)}, not XLM-R's "<unk>", "<s>", "</s>" (fairseq's id mapping needs them)`
    const tokens = [...FAIRSEQ_SPECIALS, ...model.pieces.slice(3).map((p) => p.piece), "<mask>"]
    return new SentencePieceVocab(tokens, source)
  }
}

/**
 * A SentencePiece tokenizer with XLM-R's ids. Built by `loadSentencePieceTokenizer`; `tokens` are the
 * vocabulary's spellings (an unknown character shows as `<unk>`, as `convert_ids_to_tokens` gives it).
 */
export class SentencePieceTokenizer {
  readonly kind = "sentencepiece"
  private readonly splitter: WordSplitter

  constructor(
    readonly vocab: SentencePieceVocab,
    readonly model: SentencePieceModel,
    /** the model file's bytes, which a saved checkpoint folder gets unchanged */
    readonly modelBytes: Uint8Array,
    private readonly processor: WasmProcessor
  ) {
    this.splitter = {
      cls: { token: "<s>", id: vocab.clsId },
      sep: { token: "</s>", id: vocab.sepId },
      unk: { token: "<unk>", id: vocab.unkId },
      wordSubwords: memoizeWords((word) => this.pieces(word))
    }
  }

  /** The pieces of a text (SentencePiece's `encode`, which adds the `▁` of the first word itself). */
  pieces(text: string): Array<WordSubword> {
    return this.processor.encodeIds(text).map((spmId) => {
      const id = this.vocab.fromSentencePiece(spmId)
      return { token: this.vocab.tokens[id]!, id }
    })
  }

  /** `<s> pieces </s>` of a raw sentence (HF `tokenizer(text)`); `maxLength` cuts the pieces like `truncation=True`. */
  encodeText(text: string, maxLength?: number): TextEncoding {
    return encodeSubwordSequence(this.splitter, this.pieces(text), maxLength)
  }

  /**
   * One NER sentence's words (`encodeWordSequence`): each word is encoded alone, so each gets its own
   * `▁` prefix, as HF's fast tokenizer does with `is_split_into_words`; a word SentencePiece turns into
   * nothing (empty, whitespace, a lone U+200B) becomes one `<unk>`; truncation drops whole words.
   */
  encodeWords(words: ReadonlyArray<string>, labels?: ReadonlyArray<number>, maxLength = 128): WordEncoding {
    return encodeWordSequence(this.splitter, words, labels, maxLength)
  }
}

/**
 * Reads a `sentencepiece.bpe.model`: its protobuf is checked here (a broken or foreign file is an
 * `InvalidSentencePieceModel`, never an empty tokenizer), then SentencePiece loads the same file.
 */
export const loadSentencePieceTokenizer = Effect.fn("SentencePieceTokenizer.load")(function* (file: string) {
  const fs = yield* FileSystem.FileSystem
  const bytes = yield* fs
    .readFile(file)
    .pipe(
      Effect.mapError((e) => new InvalidSentencePieceModel({ file, reason: `cannot read: ${e.message}` }))
    )
  const model = yield* decodeSentencePieceModel(bytes, file)
  const vocab = SentencePieceVocab.fromModel(model, file)
  if (typeof vocab === "string") return yield* new InvalidSentencePieceModel({ file, reason: vocab })
  const processor = new SentencePieceProcessor()
  yield* Effect.tryPromise({
    try: () => processor.load(file),
    catch: (e) =>
      new InvalidSentencePieceModel({ file, reason: `SentencePiece cannot load it: ${String(e)}` })
  })
  // the library drops its load status: ask it for the last piece, which only a loaded model knows
  const last = model.pieces.length - 1
  const view = new processor.sentencepiece.StringView(model.pieces[last]!.piece)
  const absl = view.getView() as { delete(): void }
  const found = processor.processor.PieceToId(absl)
  absl.delete()
  view.delete()
  if (found !== last)
    return yield* new InvalidSentencePieceModel({
      file,
      reason: `SentencePiece did not load it (piece ${last} reads back as id ${found})`
    })
  return new SentencePieceTokenizer(vocab, model, bytes, processor)
})
