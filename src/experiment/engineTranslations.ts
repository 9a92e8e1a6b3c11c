/**
 * D_TGT from a translation engine: a run's sampled English sentences go through the `Translator`
 * its spec names, and every sentence comes back with its source index and a verdict (kept,
 * repaired or dropped with a reason). Apertium and command outputs are cached by content hash
 * (`defaultCacheDir`), so a repeated or resumed run does not translate again. What was produced is
 * recorded in the run directory as `translation.json`.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import { Effect, Layer } from "effect"
import { DataRoot, type LoadError, type SampledSentence } from "../data/Corpora.js"
import { writeFileStringAtomic } from "../records/atomic.js"
import { type DataFileHash, hashFile } from "../records/runRecord.js"
import { Translator } from "../translate/Translator.js"
import { defaultCacheDir } from "../translate/cache.js"
import type { DictionaryFormatError, EngineError, UnsupportedPairError } from "../translate/errors.js"
import type { TranslationReport } from "../translate/setReport.js"
import type { DropReason, MismatchPolicy, TranslatedSentence } from "../translate/verdict.js"
import { type TranslationEngine, museDictionaryPath } from "./translations.js"

export interface EngineOptions {
  readonly to: string
  readonly policy: MismatchPolicy
  /** The data root (the dictionary engine reads `dictionaries/muse/en-<to>.txt` under it). */
  readonly root: string
  /** Where Apertium and command outputs are cached (default `defaultCacheDir()`). */
  readonly cacheDir?: string
}

/**
 * The `Translator` of an engine spec, from English. Apertium keeps its default (MulDA-style entity
 * placeholders); a command gets entities in context (`<span>` markup), as `concner translate` does.
 */
export const engineTranslator = (
  engine: TranslationEngine,
  options: EngineOptions
): Layer.Layer<
  Translator,
  LoadError | DictionaryFormatError | EngineError | UnsupportedPairError,
  FileSystem.FileSystem | CommandExecutor
> => {
  const languages = { from: "en", to: options.to }
  const cacheDir = options.cacheDir ?? defaultCacheDir()
  switch (engine.engine) {
    case "dictionary":
      return Translator.dictionary({
        ...languages,
        file: path.join(options.root, museDictionaryPath(options.to))
      }).pipe(Layer.provide(DataRoot.at(options.root)))
    case "apertium":
      return Translator.apertium({ ...languages, policy: options.policy, cacheDir })
    case "command":
      return Translator.command({
        ...languages,
        command: engine.command,
        markup: { mode: "context", policy: options.policy },
        cacheDir
      })
  }
}

/** `translation.json`: what the engine produced for a run's sample. */
export interface TranslationRecord {
  /** The spec's source in CLI form (`engine:dictionary`). */
  readonly source: string
  /** The engine and its settings (`dictionary:muse`, `apertium:eng-spa:html:placeholder`). */
  readonly engine: string
  /** The dictionary engine's file, with its SHA-256. */
  readonly dictionary?: DataFileHash
  readonly report: TranslationReport
  readonly dropped: ReadonlyArray<{
    readonly index: number
    readonly reason: DropReason
    readonly detail: string
  }>
}

export interface EngineTranslations {
  readonly sentences: ReadonlyArray<TranslatedSentence>
  readonly record: TranslationRecord
}

/** Translates `sampled` with `engine` (one engine call for the whole sample). */
export const translateSample = Effect.fn("Experiment.translateSample")(function* (
  engine: TranslationEngine,
  source: string,
  sampled: ReadonlyArray<SampledSentence>,
  options: EngineOptions
) {
  const translated = Effect.flatMap(Translator, (t) =>
    Effect.map(t.translate(sampled), (result) => ({ ...result, engine: t.engine }))
  )
  const {
    sentences,
    report,
    engine: name
  } = yield* Effect.provide(translated, engineTranslator(engine, options))
  const dictionary =
    engine.engine === "dictionary"
      ? {
          dictionary: yield* hashFile(
            path.join(options.root, museDictionaryPath(options.to)),
            museDictionaryPath(options.to)
          )
        }
      : {}
  const dropped = sentences.flatMap((s) =>
    s.verdict.kind === "dropped"
      ? [{ index: s.index, reason: s.verdict.reason, detail: s.verdict.detail }]
      : []
  )
  return {
    sentences,
    record: { source, engine: name, ...dictionary, report, dropped }
  } satisfies EngineTranslations
})

export const TRANSLATION_FILE = "translation.json"

export const writeTranslationRecord = Effect.fn("Experiment.writeTranslation")(function* (
  runDir: string,
  record: TranslationRecord
) {
  const fs = yield* FileSystem.FileSystem
  yield* fs.makeDirectory(runDir, { recursive: true })
  yield* writeFileStringAtomic(path.join(runDir, TRANSLATION_FILE), `${JSON.stringify(record, null, 2)}\n`)
})
