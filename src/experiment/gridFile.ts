/**
 * Loading a grid: from an experiment module's default export, or from a JSON grid file — the
 * fields of `GridSchema`, flattened for hand-writing:
 * `{"methods":["en","mulda"],"langs":["de"],"sourceSizes":[64],"seeds":[1,2],"model":"DIR",
 * "protocol":"cpu","overrides":{"maxSteps":16}}`. Optional: `name` (default: the file's name; each
 * cell's run is named so in its `run.json`), `tags` (recorded there too),
 * `corpus` (`conll`, default, or `wikiann`), `translations` (`mulda`), `mismatches` (`keep`).
 * Decoded with effect/Schema before anything runs: an unknown method, a language the corpus does
 * not have, an unknown field or an override of the wrong type fails naming the field.
 */
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { FileSystem } from "@effect/platform"
import { Effect, Schema } from "effect"
import { conllLangs, wikiannLangs } from "../data/datasets.js"
import type { LossTerm } from "../losses/lossTerm.js"
import { PaperVariant, paperObjectives } from "../losses/objective.js"
import { type Grid, GridInvalid, decodeGrid, formatIssues, targetsOf } from "./grid.js"
import { Protocol, ProtocolName, protocols } from "./spec.js"
import { TranslationSource } from "./translations.js"

/** Targets per corpus: every language but English, the source. */
const targetLangs = {
  conll: conllLangs.filter((l) => l !== "en"),
  wikiann: wikiannLangs.filter((l) => l !== "en")
} as const

const { name: _name, ...protocolSettings } = Protocol.fields

const NonEmpty = <S extends Schema.Schema.Any>(item: S) => Schema.NonEmptyArray(item)

/** A paper method by name; one message for an unknown name rather than one per literal. */
const Method = PaperVariant.annotations({
  message: (issue) => ({
    message: `unknown method ${JSON.stringify(issue.actual)} (known: ${Object.keys(paperObjectives).join(", ")})`,
    override: true
  })
})

export const GridFile = Schema.Struct({
  name: Schema.optionalWith(Schema.NonEmptyTrimmedString, { exact: true }),
  corpus: Schema.optionalWith(Schema.Literal("conll", "wikiann"), { default: () => "conll" as const }),
  methods: NonEmpty(Method),
  langs: NonEmpty(Schema.String),
  sourceSizes: NonEmpty(Schema.Int.pipe(Schema.positive())),
  seeds: NonEmpty(Schema.Int.pipe(Schema.nonNegative())),
  model: Schema.optionalWith(Schema.NonEmptyTrimmedString, { exact: true }),
  protocol: Schema.optionalWith(ProtocolName, { exact: true }),
  /** Settings of the protocol (`cpu` when none is named) changed one by one. */
  overrides: Schema.optionalWith(Schema.partialWith(Schema.Struct(protocolSettings), { exact: true }), {
    exact: true
  }),
  translations: Schema.optionalWith(TranslationSource, { default: () => "mulda" as const }),
  mismatches: Schema.optionalWith(Schema.Literal("keep", "drop"), { exact: true }),
  tags: Schema.optionalWith(Schema.Array(Schema.NonEmptyTrimmedString), { exact: true })
}).pipe(
  Schema.filter((file) => {
    const known: ReadonlyArray<string> = targetLangs[file.corpus]
    const i = file.langs.findIndex((l) => !known.includes(l))
    return i < 0
      ? true
      : {
          path: ["langs", i],
          message: `unknown ${file.corpus} target language "${file.langs[i]}" (known: ${known.join(", ")})`
        }
  })
)
export type GridFile = typeof GridFile.Type

/** The `Grid` a decoded file describes; `model` is resolved against the file's folder. */
export const gridOfFile = (file: GridFile, at: string): Grid => {
  const base = file.protocol ?? (file.overrides ? "cpu" : undefined)
  const protocol =
    base === undefined ? undefined : Protocol.make({ ...protocols[base], ...(file.overrides ?? {}) })
  return {
    name: file.name ?? path.basename(at, path.extname(at)),
    sourceSizes: file.sourceSizes,
    methods: file.methods,
    targets: targetsOf(file.corpus, file.langs),
    seeds: file.seeds,
    translations: file.translations,
    ...(file.mismatches ? { mismatches: file.mismatches } : {}),
    ...(file.tags ? { tags: file.tags } : {}),
    ...(protocol ? { protocol } : {}),
    ...(file.model ? { model: path.resolve(path.dirname(at), file.model) } : {})
  }
}

/** Decodes a grid file's text (unknown fields are errors, as a typo must not pass silently). */
export const decodeGridFile = (text: string, file: string): Effect.Effect<Grid, GridInvalid> =>
  Schema.decodeUnknown(Schema.parseJson(GridFile), { onExcessProperty: "error" })(text).pipe(
    Effect.map((decoded) => gridOfFile(decoded, file)),
    Effect.mapError((e) => new GridInvalid({ file, reason: formatIssues(e) }))
  )

/** Reads and decodes a grid file. */
export const loadGridFile = Effect.fn("GridFile.load")(function* (file: string) {
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs
    .readFileString(file)
    .pipe(Effect.mapError((e) => new GridInvalid({ file, reason: `cannot be read: ${e.message}` })))
  return yield* decodeGridFile(text, file)
})

const typeScript = /\.[cm]?ts$/i

/**
 * An experiment module's exports. A TypeScript module is imported through tsx (`tsImport`, scoped
 * to this import) when tsx is installed — it is the user's choice of loader, an optional peer
 * dependency; JavaScript modules need none.
 */
const importModule = (file: string) =>
  Effect.gen(function* () {
    const url = pathToFileURL(path.resolve(file)).href
    const failed = (e: unknown) =>
      new GridInvalid({ file, reason: `cannot be loaded: ${e instanceof Error ? e.message : String(e)}` })
    type Exports = { readonly default?: unknown; readonly terms?: unknown }
    return typeScript.test(file)
      ? yield* Effect.tryPromise({
          try: () => import("tsx/esm/api"),
          catch: () =>
            new GridInvalid({
              file,
              reason:
                "is TypeScript, and no TypeScript loader is installed: npm install --save-dev tsx (or give a .js/.mjs module or a .json grid file)"
            })
        }).pipe(
          Effect.flatMap(({ tsImport }) =>
            Effect.tryPromise({
              try: () => tsImport(url, import.meta.url) as Promise<Exports>,
              catch: failed
            })
          )
        )
      : yield* Effect.tryPromise({ try: () => import(url) as Promise<Exports>, catch: failed })
  })

/** The grid default-exported by an experiment module. */
export const loadGridModule = (file: string) =>
  Effect.flatMap(importModule(file), (module) => decodeGrid(module.default, file))

const isLossTerm = (value: unknown): value is LossTerm => {
  const t = value as Partial<LossTerm> | null
  return (
    typeof t?.name === "string" &&
    typeof t.version === "string" &&
    typeof t.loss === "function" &&
    typeof t.needs?.source === "boolean" &&
    typeof t.needs.translations === "boolean"
  )
}

/**
 * The loss terms an experiment module registers: its `terms` export (an array of `LossTerm`s, as
 * `tokenTerm`/`pairTerm` make them); none when it has no such export. A JSON grid has none.
 */
export const loadLossTerms = (file: string): Effect.Effect<ReadonlyArray<LossTerm>, GridInvalid> =>
  file.toLowerCase().endsWith(".json")
    ? Effect.succeed([])
    : Effect.flatMap(importModule(file), ({ terms }) => {
        if (terms === undefined) return Effect.succeed([])
        const bad = Array.isArray(terms) ? terms.findIndex((t) => !isLossTerm(t)) : -1
        return Array.isArray(terms) && bad < 0
          ? Effect.succeed(terms as ReadonlyArray<LossTerm>)
          : Effect.fail(
              new GridInvalid({
                file,
                reason: `the \`terms\` export must be an array of loss terms ({ name, version, needs: { source, translations }, loss }, as tokenTerm/pairTerm make them)${bad >= 0 ? `: item ${bad} is not one` : ""}`
              })
            )
      })

/** The grid of a SPEC argument: a JSON grid file or an experiment module. */
export const loadGrid = (file: string) =>
  file.toLowerCase().endsWith(".json") ? loadGridFile(file) : loadGridModule(file)
