/**
 * A model folder as a whole: config.json, the tokenizer (BERT: vocab.txt + tokenizer_config.json;
 * XLM-R: sentencepiece.bpe.model) and model.safetensors,
 * checked against each other before any tensor is built — a vocab.txt with more tokens than the
 * embedding has rows would otherwise fail deep inside tfjs (`GatherV2: the index value … is not in`).
 */
import { join } from "node:path"
import { Effect } from "effect"
import { loadTokenizer } from "../text/Tokenizer.js"
import { SENTENCEPIECE_FILE } from "../text/sentencePieceTokenizer.js"
import { CONFIG_FILE, type CheckpointOptions, VOCAB_FILE, loadWeights } from "./checkpoint.js"
import { loadBertConfig } from "./config.js"
import { TokenizerModelMismatch, VocabLargerThanModel } from "./errors.js"

/**
 * Reads and checks an HF-layout folder's config and tokenizer, without its weights. HF's rule: a
 * vocabulary may be shorter than `vocab_size` (the extra embedding rows are never looked up), never longer.
 */
export const checkModelFolder = Effect.fn("Model.checkFolder")(function* (dir: string) {
  const config = yield* loadBertConfig(join(dir, CONFIG_FILE))
  const tokenizer = yield* loadTokenizer(dir)
  if (config.isRoberta !== (tokenizer.kind === "sentencepiece"))
    return yield* new TokenizerModelMismatch({
      dir,
      modelType: config.modelType,
      found: tokenizer.kind === "sentencepiece" ? SENTENCEPIECE_FILE : VOCAB_FILE,
      wanted: config.isRoberta ? `${SENTENCEPIECE_FILE} (a SentencePiece model)` : `${VOCAB_FILE} (WordPiece)`
    })
  if (tokenizer.vocab.size > config.vocabSize)
    return yield* new VocabLargerThanModel({
      file: join(dir, tokenizer.kind === "sentencepiece" ? SENTENCEPIECE_FILE : VOCAB_FILE),
      tokens: tokenizer.vocab.size,
      vocabSize: config.vocabSize
    })
  return { config, tokenizer }
})

/** Loads config, tokenizer and weights of an HF-layout folder, checked against each other (`checkModelFolder`). */
export const loadModelFolder = Effect.fn("Model.loadFolder")(function* (
  dir: string,
  options: CheckpointOptions = {}
) {
  const { config, tokenizer } = yield* checkModelFolder(dir)
  const loaded = yield* loadWeights(dir, config, options)
  return { ...loaded, tokenizer }
})
