/** A tiny random-initialised model folder for end-to-end tests, with a vocabulary of the given text. */
import { Effect, Either } from "effect"
import { saveCheckpoint } from "../../src/model/checkpoint.js"
import { decodeBertConfig } from "../../src/model/config.js"
import { initParams, scopedParams } from "../../src/model/params.js"
import { trainVocabularyOnTokens } from "../../src/text/vocabTrain.js"

export const tinyConfig = (vocabSize: number, padTokenId = 0) => ({
  model_type: "bert",
  vocab_size: vocabSize,
  hidden_size: 32,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 64,
  hidden_act: "gelu",
  hidden_dropout_prob: 0.1,
  attention_probs_dropout_prob: 0.1,
  max_position_embeddings: 256,
  type_vocab_size: 2,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  pad_token_id: padTokenId
})

/** Writes a random `BertForTokenClassification` for `labels` to `dir`. */
export const writeTinyModel = (
  dir: string,
  text: Iterable<ReadonlyArray<string>>,
  labels: ReadonlyArray<string>,
  options: { readonly vocabSize?: number; readonly seed?: number } = {}
) =>
  Effect.scoped(
    Effect.gen(function* () {
      const vocab = Either.getOrThrow(trainVocabularyOnTokens(text, { size: options.vocabSize ?? 2000 }))
      const json = tinyConfig(vocab.length)
      const config = Either.getOrThrow(decodeBertConfig(json, `${dir}/config.json`))
      const params = yield* scopedParams(() => initParams(config, labels.length, options.seed ?? 7))
      yield* saveCheckpoint(dir, { config, labels, params, vocab })
    })
  )
