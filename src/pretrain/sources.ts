/**
 * Reads the pretraining text: dataset names are parsed by the text stage's `parseCorpusSource`, which
 * refuses any test split (`TestSplitRefused`) before anything is read. Corpus sentences become MLM
 * examples grouped by language; translation sets become TLM examples (English source + translation,
 * paired through `src_idx` by the data layer) grouped by language pair. Per language, `heldOut` dev
 * sentences (seeded) are kept out of training for the masked-token accuracy of the model card.
 * With `codeSwitch`, the English training sentences also appear code-switched, as group `en-cs`.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import { Corpora } from "../data/Corpora.js"
import { corpusPaths, translationPaths } from "../data/datasets.js"
import { sampleIndices } from "../data/sampling.js"
import type { BertTokenizer } from "../text/bertTokenizer.js"
import { parseCorpusSource } from "../text/vocabCorpus.js"
import { parseDictionary } from "../translate/dictionary.js"
import { type CodeSwitchDictionary, codeSwitch } from "./codeSwitch.js"
import { CodeSwitchDictionaryMissing, CodeSwitchWithoutEnglish, NoPretrainingText } from "./errors.js"
import { type ExampleGroup, type PretrainExample, mlmExample, tlmExample } from "./examples.js"

export interface SourceCount {
  readonly source: string
  readonly sentences: number
}

export interface PretrainData {
  /** Non-empty groups, in order of first appearance. */
  readonly groups: ReadonlyArray<ExampleGroup>
  /** Held-out dev examples per language. */
  readonly heldOut: ReadonlyArray<{
    readonly lang: string
    readonly examples: ReadonlyArray<PretrainExample>
  }>
  /** Every data file read, absolute (for the model card's SHA-256 list). */
  readonly files: ReadonlyArray<string>
  /** The data root the files are under. */
  readonly root: string
  readonly counts: ReadonlyArray<SourceCount>
}

/** Code-switched copies of the English training sentences (see codeSwitch.ts). */
export interface CodeSwitchOptions {
  /** Languages with a MUSE dictionary `dictionaries/muse/en-<lang>.txt` under the data root. */
  readonly langs: ReadonlyArray<string>
  /** Share of the words switched. */
  readonly ratio: number
}

/** The group that holds the code-switched English sentences. */
export const CODE_SWITCH_GROUP = "en-cs"

export const readPretrainData = Effect.fn("Pretrain.readData")(function* (
  specs: ReadonlyArray<string>,
  tokenizer: BertTokenizer,
  options: {
    readonly maxLength: number
    readonly heldOut: number
    readonly seed: number
    readonly codeSwitch?: CodeSwitchOptions | undefined
  }
) {
  const sources = []
  for (const spec of specs) sources.push(yield* parseCorpusSource(spec)) // all checked before any read
  const corpora = yield* Corpora
  const mlm = new Map<string, Array<PretrainExample>>()
  const dev = new Map<string, Array<ReadonlyArray<string>>>()
  const tlm = new Map<string, Array<PretrainExample>>()
  const files: Array<string> = []
  const counts: Array<SourceCount> = []
  const englishTrain: Array<ReadonlyArray<string>> = []
  const push = <T>(map: Map<string, Array<T>>, key: string, values: ReadonlyArray<T>) => {
    const list = map.get(key)
    if (list === undefined) map.set(key, [...values])
    else for (const v of values) list.push(v)
  }
  for (const source of sources) {
    if (source._tag === "Corpus") {
      const corpus = yield* corpora.load(source.id)
      if (!files.includes(corpus.file)) files.push(corpus.file)
      counts.push({ source: source.spec, sentences: corpus.sentences.length })
      const words = corpus.sentences.map((s) => s.tokens)
      if (source.id.split === "dev") push(dev, source.group, words)
      else {
        if (source.group === "en") englishTrain.push(...words)
        push(
          mlm,
          source.group,
          words.map((w) => mlmExample(tokenizer, w, options.maxLength))
        )
      }
    } else if (source._tag === "Translation") {
      const set = yield* corpora.translations(source.id, "keep")
      const paths = translationPaths(source.id)
      // the English side is CoNLL English train, read by the pairing
      const english = path.join(
        corpora.root,
        corpusPaths({ corpus: "conll", lang: "en", split: "train" }).text
      )
      if (!files.includes(english)) files.push(english)
      files.push(path.join(corpora.root, paths.text), path.join(corpora.root, paths.srcIdx))
      counts.push({ source: source.spec, sentences: set.pairs.length })
      push(
        tlm,
        `en-${source.id.lang}`,
        set.pairs.map((p) => tlmExample(tokenizer, p.source.tokens, p.target.tokens, options.maxLength))
      )
    } else return yield* Effect.dieMessage(`pretraining reads datasets only, not the file ${source.spec}`)
  }
  if (options.codeSwitch !== undefined) {
    const { langs, ratio } = options.codeSwitch
    const fs = yield* FileSystem.FileSystem
    const dictionaries: Array<CodeSwitchDictionary> = []
    for (const lang of langs) {
      const file = path.join(corpora.root, "dictionaries", "muse", `en-${lang}.txt`)
      const text = yield* fs
        .readFileString(file)
        .pipe(Effect.mapError((e) => new CodeSwitchDictionaryMissing({ file, reason: e.message })))
      dictionaries.push({ lang, dictionary: yield* parseDictionary(text, file) })
      files.push(file)
    }
    if (englishTrain.length === 0) return yield* new CodeSwitchWithoutEnglish({ sources: specs })
    counts.push({
      source: `code-switched en (${langs.join(", ")}; ratio ${ratio})`,
      sentences: englishTrain.length
    })
    push(
      mlm,
      CODE_SWITCH_GROUP,
      englishTrain.map((w, i) =>
        mlmExample(
          tokenizer,
          codeSwitch(w, dictionaries, ratio, `${options.seed}/cs/${i}`).words,
          options.maxLength
        )
      )
    )
  }
  const heldOut: Array<{ lang: string; examples: Array<PretrainExample> }> = []
  for (const [lang, sentences] of dev) {
    const k = Math.min(options.heldOut, sentences.length)
    const kept = new Set(sampleIndices(sentences.length, k, `${options.seed}/heldout/${lang}`))
    const examples = sentences.map((w) => mlmExample(tokenizer, w, options.maxLength))
    heldOut.push({ lang, examples: examples.filter((_, i) => kept.has(i)) })
    push(
      mlm,
      lang,
      examples.filter((_, i) => !kept.has(i))
    )
  }
  const groups: Array<ExampleGroup> = [
    ...[...mlm].map(([name, examples]) => ({ name, kind: "mlm" as const, examples })),
    ...[...tlm].map(([name, examples]) => ({ name, kind: "tlm" as const, examples }))
  ].filter((g) => g.examples.length > 0)
  if (groups.length === 0) return yield* new NoPretrainingText({ sources: specs })
  return {
    groups,
    heldOut: heldOut.filter((h) => h.examples.length > 0),
    files,
    root: corpora.root,
    counts
  } satisfies PretrainData
})
