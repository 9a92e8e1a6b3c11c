/**
 * The two figures of `concner visualize`: token vectors of a trained model across languages
 * (coloured by label, shaped by language) and the per-language test F1 of a folder of runs.
 */
import { Effect } from "effect"
import { Corpora } from "../data/Corpora.js"
import { loadModelFolder } from "../model/modelFolder.js"
import { Progress } from "../runtime/Progress.js"
import { resultsSpec, tokenScatterSpec } from "./charts.js"
import { reportDir } from "./summary.js"
import { type SampleOptions, projectTokens, tokenVectors, wordBatches } from "./tokenVectors.js"

export interface TokenFigureOptions extends SampleOptions {
  readonly model: string
  readonly corpus: "conll" | "wikiann"
  readonly langs: ReadonlyArray<string>
  readonly split: "train" | "dev" | "test"
}

/**
 * The representation figure's spec and its points (the model's parameters live in the caller's
 * scope), its progress in two stages: `encode` (a step per batch) and `UMAP` (a step per epoch).
 */
export const tokenFigure = Effect.fn("Visualize.tokens")(function* (options: TokenFigureOptions) {
  const corpora = yield* Corpora
  const loaded = yield* loadModelFolder(options.model)
  const tokenizer = loaded.tokenizer
  const sentences = yield* Effect.forEach(options.langs, (lang) =>
    Effect.map(corpora.load({ corpus: options.corpus, lang, split: options.split }), (c) => ({
      lang,
      sentences: c.sentences
    }))
  )
  const batches = wordBatches(sentences, options)
  // UMAP's epochs are known once it has built its neighbour graph: its first step sets them
  yield* (yield* Progress).plan([
    { name: "encode", total: batches.length },
    { name: "UMAP", total: 0 }
  ])
  const vectors = yield* tokenVectors(loaded.params, loaded.config, tokenizer, batches, options.maxLength)
  const points = yield* projectTokens(vectors, options.seed)
  const title = `${options.model}: ${points.length} ${options.includeO ? "" : "entity "}words of ${options.corpus} ${options.split} (${options.langs.join(", ")}), UMAP seed ${options.seed}`
  return { spec: tokenScatterSpec(points, title), points }
})

/** The per-language results figure of the runs under `dir` (one source size when `size` is given). */
export const resultsFigure = Effect.fn("Visualize.results")(function* (
  dir: string,
  size: number | undefined
) {
  const rows = (yield* reportDir(dir)).filter((r) => size === undefined || r.sourceSize === size)
  const distinct = (f: (r: (typeof rows)[number]) => string | number) => [...new Set(rows.map(f))].join(", ")
  const title = `Test F1 by target language: ${distinct((r) => r.corpus)}, ${distinct((r) => r.sourceSize)} English sentences, protocol ${distinct((r) => r.protocol)}, encoder ${distinct((r) => r.model)}`
  return { spec: resultsSpec(rows, title), rows }
})
