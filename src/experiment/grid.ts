/**
 * A grid of runs — sizes × methods × target languages × seeds — as a value, its expansion into
 * `ExperimentSpec` cells (one run directory each), and a runner that brings every cell to its
 * end: completed cells are skipped, interrupted ones resumed, new ones run.
 *
 * Run directories are `OUT/<corpus>/<method>/<lang>/<size>/seed-<seed>`: readable paths, keyed by
 * the cell's coordinates rather than by the spec hash. The corpus comes first because WikiAnn and
 * CoNLL share languages (de, nl). A target may name its own translation source (Table 3's WikiAnn
 * targets use the dictionary engine; a comparison of sources lists one language several times):
 * cells that train on such a source get `<lang>+<source label>` (`es+apertium`). Whatever else the
 * spec holds (protocol, encoder, translations) is checked through `spec.json`'s hash: a directory
 * recorded for another spec is refused (`CellSpecConflict`), never overwritten nor counted as done
 * — use another OUT.
 *
 *
 * The cells run on the workflow engine of `src/cluster/` (locally or on a cluster); this module
 * only says what they are.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Data, Effect, ParseResult, Schema } from "effect"
import type { CorpusName } from "../data/datasets.js"
import { Objective, PaperVariant, paperObjectives } from "../losses/objective.js"
import { canonicalHash } from "../records/canonicalJson.js"
import { RunResult } from "./result.js"
import { ExperimentSpec, Protocol } from "./spec.js"
import { TranslationSource, translationLabel, translationsUnavailable } from "./translations.js"

/**
 * A grid: what an experiment file default-exports (checked when `concner run` loads it) and what a
 * JSON grid file (`gridFile.ts`) decodes to. Targets carry their corpus (Table 3 mixes CoNLL
 * es/nl/de with WikiAnn ar/hi/zh) and may override the grid's translation source for the methods
 * that train on translations; `protocol` and `model` may be left to the runner (`--protocol`,
 * `--model`). Methods are paper names or `Objective` values, a protocol a `Protocol` value; both
 * are decoded from their fields rather than checked with `instanceof`: an experiment file outside
 * the package may load its own copy of the classes (another module URL).
 */
export const GridSchema = Schema.Struct({
  name: Schema.NonEmptyTrimmedString,
  sourceSizes: Schema.Array(Schema.Int.pipe(Schema.positive())),
  methods: Schema.Array(Schema.Union(PaperVariant, Objective)),
  targets: Schema.Array(
    Schema.Struct({
      corpus: Schema.Literal("conll", "wikiann"),
      lang: Schema.String,
      translations: Schema.optionalWith(TranslationSource, { exact: true })
    })
  ),
  seeds: Schema.Array(Schema.Int.pipe(Schema.nonNegative())),
  translations: TranslationSource,
  mismatches: Schema.optionalWith(Schema.Literal("keep", "drop"), { exact: true }),
  protocol: Schema.optionalWith(Protocol, { exact: true }),
  model: Schema.optionalWith(Schema.String, { exact: true }),
  /** Recorded in each cell's `run.json` (the run's name is the grid's); `concner runs --where tag=…`. */
  tags: Schema.optionalWith(Schema.Array(Schema.NonEmptyTrimmedString), { exact: true })
})
export type Grid = typeof GridSchema.Type
export type Target = Grid["targets"][number]

/** The targets of one corpus (with their own translation source, when given). */
export const targetsOf = (
  corpus: CorpusName,
  langs: ReadonlyArray<string>,
  translations?: TranslationSource
): Array<Target> =>
  langs.map((lang) => ({ corpus, lang, ...(translations === undefined ? {} : { translations }) }))

/** A grid file or experiment module that cannot be loaded, or does not describe a grid. */
export class GridInvalid extends Data.TaggedError("GridInvalid")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: ${this.reason}`
  }
}

/** Each issue of a decoding failure as `path: message`, joined. */
export const formatIssues = (e: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(e)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ")

/** Checks a loaded experiment module's default export. */
export const decodeGrid = (value: unknown, file: string): Effect.Effect<Grid, GridInvalid> =>
  Schema.decodeUnknown(GridSchema)(value).pipe(
    Effect.mapError(
      (e) => new GridInvalid({ file, reason: `the default export is not a grid: ${formatIssues(e)}` })
    )
  )

export interface CellKey {
  readonly corpus: CorpusName
  readonly method: string
  readonly lang: string
  readonly sourceSize: number
  readonly seed: number
  /** The label of the target's own translation source, for a method trained on it (see the module note). */
  readonly translations?: string
}

/** A cell that can run: its resolved spec, the spec's hash (as `spec.json` records it) and its directory. */
export interface RunnableCell extends CellKey {
  readonly _tag: "Runnable"
  readonly spec: ExperimentSpec
  readonly specSha256: string
  readonly runDir: string
}

/** A cell whose method needs data that does not exist for its target (reported, never dropped). */
export interface UnavailableCell extends CellKey {
  readonly _tag: "Unavailable"
  readonly reason: string
}

export type GridCell = RunnableCell | UnavailableCell

/** The grid names neither a protocol nor a model and the caller gave none. */
export class GridIncomplete extends Data.TaggedError("GridIncomplete")<{
  readonly grid: string
  readonly missing: "protocol" | "model"
}> {
  override get message() {
    return `grid ${this.grid}: no ${this.missing} (set it in the grid or pass --${this.missing})`
  }
}

/** A cell's directory holds a run of another spec. */
export class CellSpecConflict extends Data.TaggedError("CellSpecConflict")<{
  readonly runDir: string
  readonly recorded: string
  readonly expected: string
}> {
  override get message() {
    return `${this.runDir}/spec.json: recorded spec ${this.recorded.slice(0, 12)}… differs from this grid's ${this.expected.slice(0, 12)}… (other protocol, encoder or settings): use another output folder`
  }
}

/** A file of a completed cell that cannot be read as what it should be. */
export class CellFileInvalid extends Data.TaggedError("CellFileInvalid")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: ${this.reason}`
  }
}

/**
 * Why a method cannot run on a target with a translation source, if it cannot: published sets
 * exist for CoNLL de/es/nl, MUSE dictionaries for 21 languages (the rule `prepareRunData`
 * enforces with `TranslationsUnavailable`; see `translationsUnavailable`).
 */
export const unavailableReason = (
  objective: Objective,
  target: Target,
  translations: TranslationSource
): string | undefined => {
  const reason = objective.needs.translations ? translationsUnavailable(translations, target) : undefined
  return reason === undefined
    ? undefined
    : `${objective.name} needs labeled translations into ${target.lang} (${target.corpus}): ${reason}`
}

export const objectiveOf = (method: PaperVariant | Objective): Objective =>
  typeof method === "string" ? paperObjectives[method] : method

/** The hash `spec.json` records for `spec` (see `makeRunRecord`). */
export const specHash = (spec: ExperimentSpec): string =>
  canonicalHash(Schema.encodeSync(ExperimentSpec)(spec))

export const cellDir = (out: string, key: CellKey): string =>
  path.join(
    out,
    key.corpus,
    key.method,
    key.translations === undefined ? key.lang : `${key.lang}+${key.translations}`,
    String(key.sourceSize),
    `seed-${key.seed}`
  )

export interface ExpandOptions {
  readonly out: string
  /** Overrides the grid's protocol. */
  readonly protocol?: Protocol
  /**
   * Overrides the grid's model; recorded as given, so pass it as specs record it (`specModelPath`:
   * package-relative for the shipped encoder). The grid's own model is resolved to an absolute path.
   */
  readonly model?: string
}

/**
 * Every cell of the grid, in order size → seed → method → target: cells run in this order, so a grid
 * stopped part-way (they take sittings on a CPU) holds whole seeds of the table, not some methods with
 * all their seeds and others with none. A method without translations
 * gets the grid's source whatever its target names (its spec, hash and directory do not depend on
 * it), so a target listed once per source yields it once: repeated cells are left out.
 */
export const expandGrid = (grid: Grid, options: ExpandOptions) =>
  Effect.gen(function* () {
    const protocol = options.protocol ?? grid.protocol
    if (protocol === undefined) return yield* new GridIncomplete({ grid: grid.name, missing: "protocol" })
    const model = options.model ?? (grid.model === undefined ? undefined : path.resolve(grid.model))
    if (model === undefined) return yield* new GridIncomplete({ grid: grid.name, missing: "model" })
    const cells: Array<GridCell> = []
    const seen = new Set<string>()
    for (const sourceSize of grid.sourceSizes)
      for (const seed of grid.seeds)
        for (const method of grid.methods.map(objectiveOf))
          for (const target of grid.targets) {
            const own =
              method.needs.translations &&
              target.translations !== undefined &&
              translationLabel(target.translations) !== translationLabel(grid.translations)
                ? target.translations
                : undefined
            const translations = own ?? grid.translations
            const key = {
              corpus: target.corpus,
              method: method.name,
              lang: target.lang,
              sourceSize,
              seed,
              ...(own === undefined ? {} : { translations: translationLabel(own) })
            }
            const runDir = cellDir(options.out, key)
            if (seen.has(runDir)) continue
            seen.add(runDir)
            const reason = unavailableReason(method, target, translations)
            if (reason !== undefined) {
              cells.push({ _tag: "Unavailable", ...key, reason })
              continue
            }
            const spec = ExperimentSpec.make({
              method,
              lang: target.lang,
              corpus: target.corpus,
              sourceSize,
              seed,
              model,
              translations,
              mismatches: grid.mismatches ?? "keep",
              protocol
            })
            cells.push({
              _tag: "Runnable",
              ...key,
              spec,
              specSha256: specHash(spec),
              runDir
            })
          }
    return cells
  })

export type CellStatus = "skipped" | "resumed" | "ran" | "unavailable"

export type CellOutcome =
  | {
      readonly cell: RunnableCell
      readonly status: "skipped" | "resumed" | "ran"
      readonly result: RunResult
    }
  | { readonly cell: UnavailableCell; readonly status: "unavailable" }

/** What the runner will do with a runnable cell, from its directory alone. */
export const cellState = Effect.fn("Grid.cellState")(function* (cell: RunnableCell) {
  const fs = yield* FileSystem.FileSystem
  const specFile = path.join(cell.runDir, "spec.json")
  if (!(yield* fs.exists(specFile))) return "new" as const
  const recorded = yield* fs.readFileString(specFile).pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.parseJson(Schema.Struct({ sha256: Schema.String })))),
    Effect.mapError((e) => new CellFileInvalid({ file: specFile, reason: e.message }))
  )
  if (recorded.sha256 !== cell.specSha256)
    return yield* new CellSpecConflict({
      runDir: cell.runDir,
      recorded: recorded.sha256,
      expected: cell.specSha256
    })
  return (yield* fs.exists(path.join(cell.runDir, "result.json")))
    ? ("complete" as const)
    : ("interrupted" as const)
})

/** A completed cell's `result.json`. */
export const readResult = Effect.fn("Grid.readResult")(function* (file: string) {
  const fs = yield* FileSystem.FileSystem
  return yield* fs.readFileString(file).pipe(
    Effect.flatMap(Schema.decodeUnknown(Schema.parseJson(RunResult))),
    Effect.mapError((e) => new CellFileInvalid({ file, reason: e.message }))
  )
})

/** A cell's coordinates for people: `conll mulda de 1000 seed 1` (`de+apertium` for a target's own source). */
export const cellLabel = (cell: CellKey): string =>
  `${cell.corpus} ${cell.method} ${cell.translations === undefined ? cell.lang : `${cell.lang}+${cell.translations}`} ${cell.sourceSize} seed ${cell.seed}`

/** One line per cell: coordinates, what happened, the final F1 (student's for KD methods) or why not. */
export const formatOutcomes = (outcomes: ReadonlyArray<CellOutcome>): string =>
  outcomes
    .map((o) => {
      const where = cellLabel(o.cell)
      if (o.status === "unavailable") return `${where}: unavailable (${o.cell.reason})`
      const final = o.result.student ?? o.result
      return `${where}: ${o.status}, test F1 ${final.test.f1.toFixed(2)}` // result.json holds percentages
    })
    .join("\n")
