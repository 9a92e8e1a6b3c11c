/**
 * The `Translator` service: labeled English sentences in, labeled target sentences out, each with
 * its source index and a verdict, plus a set-level report. One Layer per engine:
 * - `Translator.imported`: published translation sets (`Corpora.translations`), by source index.
 * - `Translator.dictionary`: word by word with a MUSE dictionary (an approximation, not MT).
 * - `Translator.command`: any external translator speaking the line protocol, with markup.
 * - `Translator.apertium`: Apertium with markup in placeholder mode.
 * Mismatch policies are the caller's (`MismatchPolicy`); every sentence gets a verdict.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import * as CommandExecutor from "@effect/platform/CommandExecutor"
import { Context, Effect, Layer } from "effect"
import { Corpora, DataRoot, type LoadError, type SampledSentence } from "../data/Corpora.js"
import { type TranslationSystem, checkTranslationId } from "../data/datasets.js"
import { typeMultiset } from "../data/stats.js"
import { readTextFile } from "../data/utf8.js"
import { APERTIUM_UNKNOWN, apertiumEngine, apertiumModes, findMode } from "./apertium.js"
import { cachedEngine } from "./cache.js"
import { parseDictionary, translateWords } from "./dictionary.js"
import { type EngineError, type EngineOutputError, UnsupportedPairError } from "./errors.js"
import { type LineEngine, shellEngine } from "./lineEngine.js"
import { type MarkupMode, encodeMarkup, escapeText } from "./markup.js"
import { project } from "./project.js"
import { type TranslationReport, summarize } from "./setReport.js"
import { type MismatchPolicy, type TranslatedSentence, cleanStats } from "./verdict.js"

export interface TranslationResult {
  /** One per input sentence, in input order. */
  readonly sentences: ReadonlyArray<TranslatedSentence>
  readonly report: TranslationReport
}

export type TranslateError = LoadError | EngineError | EngineOutputError

export interface TranslatorShape {
  /** The engine and its settings, e.g. `apertium:eng-spa:html`; part of cache keys and reports. */
  readonly engine: string
  readonly from: string
  readonly to: string
  readonly translate: (
    sources: ReadonlyArray<SampledSentence>
  ) => Effect.Effect<TranslationResult, TranslateError>
}

export interface MarkupOptions {
  readonly mode: MarkupMode
  readonly policy: MismatchPolicy
  readonly unknownMark?: string
}

/**
 * The pipeline shared by MT engines: mark up every sentence (and, in placeholder mode, every
 * entity's text on a line of its own), run the whole batch through the engine once, project back.
 */
export const translateMarked = Effect.fn("Translator.translateMarked")(function* (
  engine: LineEngine,
  sources: ReadonlyArray<SampledSentence>,
  options: MarkupOptions
) {
  const marked = sources.map((s) => encodeMarkup(s.sentence, options.mode))
  const entityLines =
    options.mode === "placeholder"
      ? marked.flatMap((m) => m.entities.map((e) => e.tokens.map(escapeText).join(" ")))
      : []
  const output = yield* engine.run([...marked.map((m) => m.line), ...entityLines])
  let at = sources.length
  const unknown = options.unknownMark === undefined ? {} : { unknownMark: options.unknownMark }
  return sources.map((source, i) => {
    const m = marked[i]!
    const entityOutputs = options.mode === "placeholder" ? output.slice(at, at + m.entities.length) : []
    at += entityOutputs.length
    return project({
      source,
      marked: m,
      output: output[i]!,
      entityOutputs,
      mode: options.mode,
      policy: options.policy,
      ...unknown
    })
  })
})

const sameTokens = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) =>
  a.length === b.length && a.every((t, i) => t === b[i])

const notEnglish = (engine: string, from: string, to: string) =>
  new UnsupportedPairError({ engine, from, to, reason: "only English sources are supported" })

export class Translator extends Context.Tag("concner/Translator")<Translator, TranslatorShape>() {
  /**
   * A published set (`translations/conll2003-en-train/<system>/<to>`): source indices are indices
   * of `conll/en/train.txt`. Unaligned → `no-translation`; a pair whose English side differs from
   * the input → `source-mismatch`; different entity types → kept (`keep`) or `type-mismatch`.
   */
  static readonly imported = (options: {
    readonly system: TranslationSystem
    readonly from: string
    readonly to: string
    readonly policy: MismatchPolicy
  }) =>
    Layer.effect(
      Translator,
      Effect.gen(function* () {
        const corpora = yield* Corpora
        const engine = `imported:${options.system}`
        if (options.from !== "en") return yield* notEnglish(engine, options.from, options.to)
        const id = yield* checkTranslationId({ system: options.system, lang: options.to })
        const translate = Effect.fn("Translator.imported")(function* (
          sources: ReadonlyArray<SampledSentence>
        ) {
          const set = yield* corpora.translations(id, "keep")
          const sentences = sources.map(({ index, sentence }): TranslatedSentence => {
            const base = { index, source: sentence, stats: cleanStats }
            const pair = set.bySource.get(index)
            if (pair === undefined) {
              const detail = `English sentence ${index} has no aligned sentence in ${set.report.file}`
              return {
                ...base,
                verdict: { kind: "dropped", reason: "no-translation", detail },
                typesAgree: false
              }
            }
            if (!sameTokens(pair.source.tokens, sentence.tokens)) {
              const detail = `sentence ${index} is not conll/en/train.txt sentence ${index}`
              return {
                ...base,
                verdict: { kind: "dropped", reason: "source-mismatch", detail },
                typesAgree: false
              }
            }
            // Compared with the input's tags, which may differ from the English file's.
            const typesAgree = typeMultiset(sentence.tags) === typeMultiset(pair.target.tags)
            if (!typesAgree && options.policy === "drop") {
              const detail = `types ${typeMultiset(pair.target.tags)} for ${typeMultiset(sentence.tags)}`
              return { ...base, verdict: { kind: "dropped", reason: "type-mismatch", detail }, typesAgree }
            }
            return { ...base, target: pair.target, verdict: { kind: "kept" }, typesAgree }
          })
          return { sentences, report: summarize(sentences, { engine, from: options.from, to: options.to }) }
        })
        return { engine, from: options.from, to: options.to, translate }
      })
    )

  /** Word by word with `dictionaries/muse/en-<to>.txt` under the data root (or `file`); see dictionary.ts. */
  static readonly dictionary = (options: {
    readonly from: string
    readonly to: string
    readonly file?: string
  }) =>
    Layer.effect(
      Translator,
      Effect.gen(function* () {
        const engine = "dictionary:muse"
        if (options.from !== "en") return yield* notEnglish(engine, options.from, options.to)
        const file =
          options.file ?? path.join(yield* DataRoot, "dictionaries", "muse", `en-${options.to}.txt`)
        const text = yield* readTextFile(file)
        const dictionary = yield* parseDictionary(text, file)
        const notes = [
          "word-by-word approximation, not machine translation: English word order and inflection are kept",
          "entity tokens copied as written; first MUSE translation taken (as written, then lower-cased)"
        ]
        const translate = Effect.fn("Translator.dictionary")(function* (
          sources: ReadonlyArray<SampledSentence>
        ) {
          const sentences = sources.map(({ index, sentence }): TranslatedSentence => {
            const { tokens, lookedUp, untranslated } = translateWords(sentence, dictionary)
            return {
              index,
              source: sentence,
              target: { tokens, tags: sentence.tags, line: sentence.line },
              verdict: { kind: "kept" },
              typesAgree: true,
              stats: { ...cleanStats, untranslated, lookedUp }
            }
          })
          return {
            sentences,
            report: summarize(sentences, { engine, from: options.from, to: options.to, notes })
          }
        })
        return { engine, from: options.from, to: options.to, translate }
      })
    )

  /** Any translator behind a shell command speaking the line protocol; outputs cached in `cacheDir`. */
  static readonly command = (options: {
    readonly command: string
    readonly from: string
    readonly to: string
    readonly markup: MarkupOptions
    readonly cacheDir?: string
  }) =>
    Layer.effect(
      Translator,
      Effect.gen(function* () {
        const executor = yield* CommandExecutor.CommandExecutor
        const fs = yield* FileSystem.FileSystem
        const shell = shellEngine(options.command, executor)
        const named = { ...shell, name: `${shell.name}:${options.from}-${options.to}:${options.markup.mode}` }
        const engine = options.cacheDir === undefined ? named : cachedEngine(named, options.cacheDir, fs)
        const translate = Effect.fn("Translator.command")(function* (
          sources: ReadonlyArray<SampledSentence>
        ) {
          const sentences = yield* translateMarked(engine, sources, options.markup)
          return {
            sentences,
            report: summarize(sentences, { engine: engine.name, from: options.from, to: options.to })
          }
        })
        return { engine: engine.name, from: options.from, to: options.to, translate }
      })
    )

  /** Apertium (`apertium -l` must list the pair), placeholder markup, unknown words counted. */
  static readonly apertium = (options: {
    readonly from: string
    readonly to: string
    readonly policy: MismatchPolicy
    readonly mode?: MarkupMode
    readonly cacheDir?: string
  }) =>
    Layer.effect(
      Translator,
      Effect.gen(function* () {
        const executor = yield* CommandExecutor.CommandExecutor
        const fs = yield* FileSystem.FileSystem
        const modes = yield* apertiumModes().pipe(
          Effect.provideService(CommandExecutor.CommandExecutor, executor)
        )
        const pair = yield* findMode(modes, options.from, options.to)
        const mode = options.mode ?? "placeholder"
        const base = apertiumEngine(pair, executor)
        const named = { ...base, name: `${base.name}:${mode}` }
        const engine = options.cacheDir === undefined ? named : cachedEngine(named, options.cacheDir, fs)
        const markup: MarkupOptions = { mode, policy: options.policy, unknownMark: APERTIUM_UNKNOWN }
        const notes =
          mode === "placeholder"
            ? ["entities replaced by placeholders and translated on their own lines (MulDA's method)"]
            : [
                "context mode: Apertium keeps markup in place while reordering words, so labels may sit on the wrong words"
              ]
        const translate = Effect.fn("Translator.apertium")(function* (
          sources: ReadonlyArray<SampledSentence>
        ) {
          const sentences = yield* translateMarked(engine, sources, markup)
          return {
            sentences,
            report: summarize(sentences, { engine: engine.name, from: options.from, to: options.to, notes })
          }
        })
        return { engine: engine.name, from: options.from, to: options.to, translate }
      })
    )
}
