/**
 * A checkpoint with a smaller vocabulary: the word-embedding rows of the kept subwords (in their old
 * order, so ids are remapped by `oldToNew`), every other tensor unchanged, `vocab_size` and
 * `pad_token_id` updated. The word-embedding matrix dominates a multilingual model's memory and its
 * optimizer time (mBERT: 119,547 × 768 of 178M parameters), so trimming to the corpora in use pays.
 */
import { Effect } from "effect"
import { tf } from "../runtime/tf.js"
import type { TrimmedVocabulary } from "../text/trimVocabulary.js"
import { BertConfig } from "./config.js"
import { type BertParams, param, wordEmbeddingsKey } from "./params.js"

/**
 * The trimmed model: a new word-embedding variable owned by the current Scope (the other
 * parameters are `params`' own, shared). `trimmed` must come from this model's vocabulary.
 */
export const trimModel = (params: BertParams, config: BertConfig, trimmed: TrimmedVocabulary) =>
  Effect.gen(function* () {
    const key = wordEmbeddingsKey(config)
    const old = param(params, key)
    if (trimmed.oldToNew.length !== config.vocabSize)
      return yield* Effect.dieMessage(
        `trimModel: the trimmed vocabulary has ${trimmed.oldToNew.length} old ids, the model ${config.vocabSize}`
      )
    const padTokenId = trimmed.oldToNew[config.padTokenId]!
    const rows = yield* Effect.acquireRelease(
      Effect.sync(() =>
        tf.tidy(() => tf.variable(tf.gather(old, tf.tensor1d(trimmed.keptOldIds, "int32")), true))
      ),
      (v) => Effect.sync(() => v.dispose())
    )
    return {
      params: { ...params, [key]: rows } as BertParams,
      config: new BertConfig({
        ...config,
        vocabSize: trimmed.vocab.size,
        padTokenId: Math.max(0, padTokenId)
      })
    }
  })
