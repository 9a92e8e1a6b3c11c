/**
 * Prediction and scoring of a labeled corpus with a token classifier: eval-mode forward passes in
 * batches of sentences of similar length, the argmax at each word's first subword, conlleval's
 * scores. Sentences longer than the model's positions are cut; their lost words are not given a
 * guessed tag silently: they are predicted `O` and counted in `unpredictedWords`.
 */
import { Either } from "effect"
import type { Sentence } from "../data/conll.js"
import type { LabelSet } from "../data/labels.js"
import { tokenClassifier } from "../model/classifier.js"
import type { BertConfig } from "../model/config.js"
import { NonFiniteOutput } from "../model/errors.js"
import { EVAL } from "../model/ops.js"
import type { BertParams } from "../model/params.js"
import { tf } from "../runtime/tf.js"
import type { SubwordTokenizer } from "../text/Tokenizer.js"
import type { WordEncoding } from "../text/encoding.js"
import { padRows } from "../text/encoding.js"
import { scoreConlleval } from "./conlleval.js"
import type { EntityScores } from "./scores.js"

export interface Predictions {
  /** Predicted IOB2 tags, one per word of each sentence. */
  readonly tags: ReadonlyArray<ReadonlyArray<string>>
  /** Words past the model's length that got no prediction (scored as `O`). */
  readonly unpredictedWords: number
  readonly truncatedSentences: number
}

/**
 * Argmax label ids at each word's first subword for `encodings`, `batchSize` sentences at a time; the
 * corpus index of a sentence whose logits are not finite (argmax of NaN would silently say `O`).
 */
const predictIds = (
  params: BertParams,
  config: BertConfig,
  encodings: ReadonlyArray<WordEncoding>,
  padId: number,
  batchSize: number
): Either.Either<Array<Array<number>>, number> => {
  const out: Array<Array<number>> = new Array(encodings.length)
  // sorting by length keeps padding small; results are written back in corpus order
  const order = encodings
    .map((_, i) => i)
    .sort((a, b) => encodings[a]!.inputIds.length - encodings[b]!.inputIds.length)
  for (let start = 0; start < order.length; start += batchSize) {
    const ids = order.slice(start, start + batchSize)
    const rows = padRows(
      ids.map((i) => encodings[i]!),
      padId
    )
    const [argmax, finite] = tf.tidy(() => {
      const inputs = {
        inputIds: tf.tensor2d(rows.inputIds, [rows.rows, rows.length], "int32"),
        attentionMask: tf.tensor2d(rows.attentionMask, [rows.rows, rows.length], "int32")
      }
      const logits = tokenClassifier(params, config, inputs, EVAL).logits
      return [tf.argMax(logits, -1), tf.all(tf.isFinite(logits), [1, 2])]
    })
    const flat = argmax.dataSync()
    const rowFinite = finite.dataSync()
    tf.dispose([argmax, finite])
    const bad = Array.from(rowFinite).indexOf(0)
    if (bad >= 0) return Either.left(ids[bad]!)
    ids.forEach((i, r) => {
      out[i] = encodings[i]!.labelPositions.map((p) => flat[r * rows.length + p]!)
    })
  }
  return Either.right(out)
}

export const predictTags = (
  params: BertParams,
  config: BertConfig,
  tokenizer: SubwordTokenizer,
  labels: LabelSet,
  sentences: ReadonlyArray<Pick<Sentence, "tokens">>,
  options: { readonly batchSize?: number; readonly maxLength?: number } = {}
): Either.Either<Predictions, NonFiniteOutput> => {
  const maxLength = options.maxLength ?? config.maxSequenceLength
  const encodings = sentences.map((s) => tokenizer.encodeWords(s.tokens, undefined, maxLength))
  const predicted = predictIds(params, config, encodings, tokenizer.vocab.padId, options.batchSize ?? 64)
  if (Either.isLeft(predicted))
    return Either.left(new NonFiniteOutput({ where: `sentence ${predicted.left + 1}`, what: "logits" }))
  const ids = predicted.right
  let unpredictedWords = 0
  let truncatedSentences = 0
  const tags = encodings.map((e, i) => {
    const lost = e.words - e.keptWords
    if (lost > 0) truncatedSentences++
    unpredictedWords += lost
    return [...ids[i]!.map((id) => labels.tags[id]!), ...new Array<string>(lost).fill("O")]
  })
  return Either.right({ tags, unpredictedWords, truncatedSentences })
}

/** conlleval's scores of `predicted` against the gold tags of `sentences`. */
export const scorePredictions = (
  sentences: ReadonlyArray<Pick<Sentence, "tags">>,
  predicted: ReadonlyArray<ReadonlyArray<string>>
): EntityScores =>
  scoreConlleval(sentences.map((s, i) => s.tags.map((gold, j) => ({ gold, predicted: predicted[i]![j]! }))))
