/**
 * `concner data stats [--data DIR] [--json]`: counts for every corpus, language and split present
 * under the data root, translations included. JSON contract:
 * `{"datasets":[{"corpus","lang","split","sentences","tokens","entities","byType",…}]}`.
 */
import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import {
  Corpora,
  NoDatasets,
  type SentenceCounts,
  corpusName,
  countSentences,
  orderTypes,
  translationName
} from "../data/index.js"
import { describe } from "./commands.js"
import { dataOption, jsonOption } from "./common.js"

export interface DatasetRow extends SentenceCounts {
  readonly corpus: string
  readonly lang: string
  readonly split: string
  /** Documents, where `-DOCSTART-` lines or `*.doc_ids` give them. */
  readonly documents?: number
  /** Translations: sentences with an English source, and of those, the ones with its entity types. */
  readonly aligned?: number
  readonly sameTypes?: number
  /** Translations: tokens flagged as leaked placeholders (`isLeakedPlaceholder`). */
  readonly placeholders?: number
}

const withDocuments = (documents: number | undefined) => (documents === undefined ? {} : { documents })

/** One row per corpus/lang/split present, then one per translation set present. */
export const datasetRows = Effect.fn("data.stats")(function* () {
  const corpora = yield* Corpora
  const rows: Array<DatasetRow> = []
  for (const id of yield* corpora.list()) {
    const corpus = yield* corpora.load(id)
    yield* Effect.logDebug(`counted ${corpusName(id)}`)
    rows.push({ ...id, ...countSentences(corpus.sentences), ...withDocuments(corpus.documents) })
  }
  for (const id of yield* corpora.listTranslations()) {
    const set = yield* corpora.translations(id, "keep")
    yield* Effect.logDebug(`counted ${translationName(id)}`)
    rows.push({
      corpus: `translations/${id.system}`,
      lang: id.lang,
      split: "train",
      ...countSentences(set.sentences),
      ...withDocuments(set.documents),
      aligned: set.report.aligned,
      sameTypes: set.report.sameTypes,
      placeholders: set.report.leakedPlaceholders.length
    })
  }
  // an empty listing would look like counts of nothing: it is a folder without data
  if (rows.length === 0) return yield* new NoDatasets({ root: corpora.root })
  return rows
})

/** A text table, numbers right-aligned, one column per entity type. */
export const formatTable = (rows: ReadonlyArray<DatasetRow>): string => {
  const types = orderTypes(new Set(rows.flatMap((r) => Object.keys(r.byType))))
  const optional = (n: number | undefined) => (n === undefined ? "-" : String(n))
  const header = [
    "corpus",
    "lang",
    "split",
    "sentences",
    "tokens",
    "entities",
    ...types,
    "invalid I-",
    "docs"
  ]
  const extra = ["aligned", "same types", "placeholders"]
  const body = rows.map((r) => [
    r.corpus,
    r.lang,
    r.split,
    String(r.sentences),
    String(r.tokens),
    String(r.entities),
    ...types.map((t) => String(r.byType[t] ?? 0)),
    String(r.invalidI),
    optional(r.documents),
    optional(r.aligned),
    optional(r.sameTypes),
    optional(r.placeholders)
  ])
  const table = [[...header, ...extra], ...body]
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)))
  return table
    .map((row) =>
      row.map((cell, c) => (c < 3 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ")
    )
    .join("\n")
}

const data = dataOption
const json = jsonOption.pipe(Options.withDescription("print the JSON contract instead of a table"))

const stats = Command.make("stats", { data, json }, ({ json }) =>
  Effect.gen(function* () {
    const rows = yield* datasetRows()
    yield* Console.log(json ? JSON.stringify({ datasets: rows }) : formatTable(rows))
  })
).pipe(
  Command.withDescription("Sentences, tokens and entities of every dataset present under the data root"),
  Command.provide(({ data }) => Corpora.at(Option.getOrUndefined(data)))
)

export const dataCommand = Command.make("data").pipe(
  Command.withDescription(describe("data")),
  Command.withSubcommands([stats])
)
