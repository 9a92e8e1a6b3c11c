/**
 * `concner translate --engine imported|apertium|dictionary|command --from en --to L --input FILE
 * --out DIR [--sample K --seed S] [--command "…"] [--system mulda|deepl-awesome]
 * [--policy drop|keep] [--markup placeholder|context] [--data DIR] [--cache DIR] [--batch-size N]`
 *
 * Translates the labeled sentences of FILE (CoNLL, IOB2 after decoding) and writes
 * `DIR/train.txt` (the shared-data format: `TOKEN TAG`, a blank line after each sentence; kept and
 * repaired sentences only), `DIR/train.src_idx` (the FILE sentence index of each, one per line) and
 * `DIR/report.json` (the set report, the input, the sample, and every dropped sentence with its
 * reason). Command and Apertium outputs are cached by content hash in `--cache`, by default
 * `$CONCNER_CACHE`, else `$XDG_CACHE_HOME/concner`, else `~/.cache/concner` (see translate/cache.ts).
 */
import * as path from "node:path"
import { Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import type { CommandExecutor } from "@effect/platform/CommandExecutor"
import { type ConfigError, Console, Effect, Layer, Option } from "effect"
import {
  Corpora,
  DataRoot,
  type LoadError,
  SampleSizeError,
  decodeConll,
  encodeConll,
  readTextFile,
  sampleIndices
} from "../data/index.js"
import { Progress } from "../runtime/index.js"
import {
  type DictionaryFormatError,
  EngineError,
  type TranslationResult,
  Translator,
  type UnsupportedPairError,
  defaultCacheDir,
  summarize
} from "../translate/index.js"
import { describe } from "./commands.js"
import {
  dataOption,
  defaultTo,
  integerOption,
  outOption,
  progressLayer,
  quietOption,
  seedOption
} from "./common.js"

const engine = Options.choice("engine", ["imported", "apertium", "dictionary", "command"]).pipe(
  Options.withDescription(
    "imported: published sets; apertium; dictionary: MUSE word by word; command: --command"
  )
)
const from = Options.text("from").pipe(defaultTo("en"), Options.withDescription("source language"))
const to = Options.text("to").pipe(Options.withDescription("target language (ISO 639-1)"))
const input = Options.file("input", { exists: "yes" }).pipe(
  Options.withDescription("labeled CoNLL file to translate")
)
const out = outOption.pipe(Options.withDescription("output directory (created)"))
const sample = integerOption("sample").pipe(
  Options.withDescription("translate K sentences drawn with the data layer's seeded sampler"),
  Options.optional
)
const seed = seedOption.pipe(defaultTo(0), Options.withDescription("sampling seed"))
const command = Options.text("command").pipe(
  Options.withDescription(
    "command engine: a shell command reading marked-up lines on stdin, one translation per line on stdout"
  ),
  Options.optional
)
const system = Options.choice("system", ["mulda", "deepl-awesome"]).pipe(
  defaultTo("mulda"),
  Options.withDescription("imported engine: which published set")
)
const policy = Options.choice("policy", ["drop", "keep"]).pipe(
  defaultTo("drop"),
  Options.withDescription("sentences whose entities disagree with the source: drop or keep (always counted)")
)
const markup = Options.choice("markup", ["placeholder", "context"]).pipe(
  Options.withDescription(
    "MT engines: entity placeholders (default for apertium) or entities in context (default for command)"
  ),
  Options.optional
)
const data = dataOption
const cache = Options.directory("cache").pipe(
  Options.withDescription(
    "translation cache (default: $CONCNER_CACHE, else $XDG_CACHE_HOME/concner, else ~/.cache/concner)"
  ),
  Options.optional
)

const batchSize = integerOption("batch-size").pipe(
  defaultTo(2000),
  Options.withDescription("sentences per engine call (one process per batch; progress is printed after each)")
)

const flags = {
  batchSize,
  engine,
  from,
  to,
  input,
  out,
  sample,
  seed,
  command,
  system,
  policy,
  markup,
  data,
  cache,
  quiet: quietOption
}
type Flags = Command.Command.ParseConfig<typeof flags>

type TranslatorLayer = Layer.Layer<
  Translator,
  LoadError | DictionaryFormatError | EngineError | UnsupportedPairError | ConfigError.ConfigError,
  FileSystem.FileSystem | CommandExecutor
>

const translatorLayer = (f: Flags): TranslatorLayer => {
  const cacheDir = Option.getOrElse(f.cache, () => defaultCacheDir())
  const languages = { from: f.from, to: f.to }
  switch (f.engine) {
    case "imported":
      return Translator.imported({ system: f.system, ...languages, policy: f.policy }).pipe(
        Layer.provide(Corpora.at(Option.getOrUndefined(f.data)))
      )
    case "dictionary":
      return Translator.dictionary(languages).pipe(
        Layer.provide(Option.match(f.data, { onNone: () => DataRoot.fromEnv, onSome: DataRoot.at }))
      )
    case "apertium":
      return Translator.apertium({
        ...languages,
        policy: f.policy,
        mode: Option.getOrElse(f.markup, () => "placeholder" as const),
        cacheDir
      })
    case "command":
      return Option.match(f.command, {
        onNone: () =>
          Layer.fail(new EngineError({ engine: "command", reason: "--engine command needs --command" })),
        onSome: (shell) =>
          Translator.command({
            command: shell,
            ...languages,
            markup: { mode: Option.getOrElse(f.markup, () => "context" as const), policy: f.policy },
            cacheDir
          })
      })
  }
}

const run = (f: Flags) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* readTextFile(f.input)
    const { sentences } = yield* decodeConll(text, f.input)
    if (!(f.batchSize >= 1))
      return yield* new EngineError({ engine: "translate", reason: "--batch-size must be at least 1" })
    const k = Option.getOrUndefined(f.sample)
    if (k !== undefined && !(k >= 0 && k <= sentences.length))
      return yield* new SampleSizeError({ dataset: f.input, k, available: sentences.length })
    const indices = k === undefined ? sentences.map((_, i) => i) : sampleIndices(sentences.length, k, f.seed)
    const translator = yield* Translator
    const sources = indices.map((index) => ({ index, sentence: sentences[index]! }))
    const progress = yield* Progress
    // Batches of --batch-size sentences, each through one engine process, so long inputs show progress.
    const parts: Array<TranslationResult> = []
    for (let at = 0; at < sources.length || parts.length === 0; at += f.batchSize) {
      parts.push(yield* translator.translate(sources.slice(at, at + f.batchSize)))
      const done = Math.min(at + f.batchSize, sources.length)
      yield* progress.tick({ stage: `translate (${translator.engine})`, step: done, total: sources.length })
    }
    const all = parts.flatMap((p) => p.sentences)
    const result = { sentences: all, report: summarize(all, parts[0]!.report) }
    const written = result.sentences.flatMap((s) =>
      s.target === undefined ? [] : [{ index: s.index, target: s.target }]
    )
    const conll = yield* encodeConll(
      written.map(({ target }) => ({ tokens: target.tokens, tags: target.tags, line: target.line }))
    )
    yield* fs.makeDirectory(f.out, { recursive: true })
    yield* fs.writeFileString(path.join(f.out, "train.txt"), conll)
    yield* fs.writeFileString(path.join(f.out, "train.src_idx"), written.map((w) => `${w.index}\n`).join(""))
    const dropped = result.sentences.flatMap((s) =>
      s.verdict.kind === "dropped"
        ? [{ index: s.index, reason: s.verdict.reason, detail: s.verdict.detail }]
        : []
    )
    const report = {
      ...result.report,
      input: path.resolve(f.input),
      sample: k === undefined ? null : { k, seed: f.seed },
      policy: f.policy,
      droppedSentences: dropped
    }
    yield* fs.writeFileString(path.join(f.out, "report.json"), `${JSON.stringify(report, null, 2)}\n`)
    const r = result.report
    return `${r.engine} ${r.from}→${r.to}: ${r.kept + r.repaired}/${r.sentences} sentences written (${r.keptPercent}%), ${r.dropped} dropped; ${f.out}/report.json`
  }).pipe(
    Effect.provide(Layer.merge(translatorLayer(f), progressLayer(f.quiet))),
    // printed once progress has closed (on a terminal, it would land on the status line)
    Effect.flatMap(Console.log)
  )

export const translateCommand = Command.make("translate", flags, run).pipe(
  Command.withDescription(describe("translate"))
)
