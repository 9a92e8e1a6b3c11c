/**
 * `concner vocab train --corpus SRC… --size V --out vocab.txt`: trains a WordPiece vocabulary
 * (`trainWordPiece`) on the basic tokenizer's words of datasets (`conll/en/train`, `wikiann/de/dev`,
 * `translations/mulda/de`; never a test split) and/or files (CoNLL or raw text, one sentence per
 * line), optionally language-balanced. Writes vocab.txt and prints a summary on stderr.
 */
import { Command, Options } from "@effect/cli"
import { NodeFileSystem } from "@effect/platform-node"
import { Console, Effect, Layer, Option } from "effect"
import { Corpora } from "../data/index.js"
import { Progress } from "../runtime/index.js"
import {
  type CorpusFormat,
  DEFAULT_COVERAGE,
  DEFAULT_MIN_CHAR_COUNT,
  DEFAULT_MIN_PAIR_COUNT,
  InvalidVocabOption,
  Vocab,
  type VocabScoring,
  corpusFormats,
  countWords,
  readSources,
  trainWordPiece,
  vocabScorings,
  weightedTexts,
  writeVocab
} from "../text/index.js"
import { describe } from "./commands.js"
import {
  dataOption,
  defaultTo,
  integerOption,
  numberOption,
  outFileOption,
  progressLayer,
  quietOption,
  seedOption
} from "./common.js"

const corpus = Options.text("corpus").pipe(
  Options.atLeast(1),
  Options.withDescription(
    "training text, repeatable: a dataset (conll/LANG/SPLIT, wikiann/LANG/SPLIT, translations/SYSTEM/LANG; " +
      "never …/test) or a file (CoNLL, or raw text with one sentence per line)"
  )
)
const size = integerOption("size").pipe(Options.withDescription("vocabulary size, special tokens included"))
const out = outFileOption.pipe(Options.withDescription("where to write vocab.txt"))
const format = Options.choice("format", corpusFormats).pipe(
  defaultTo("auto" as CorpusFormat),
  Options.withDescription(
    "how to read files: conll, text (one sentence per line), or auto (by the first line)"
  )
)
const scoring = Options.choice("scoring", vocabScorings).pipe(
  defaultTo("frequency" as VocabScoring),
  Options.withDescription(
    "merge score: frequency = count(ab), as HF tokenizers' WordPieceTrainer; " +
      "likelihood = count(ab)/(count(a)·count(b)), the HF course's WordPiece"
  )
)
const coverage = numberOption("coverage").pipe(
  defaultTo(DEFAULT_COVERAGE),
  Options.withDescription("share of each script's character occurrences that get their own token")
)
const minCharCount = integerOption("min-char-count").pipe(
  defaultTo(DEFAULT_MIN_CHAR_COUNT),
  Options.withDescription("a character seen this often always gets its own token")
)
const minPairCount = integerOption("min-pair-count").pipe(
  defaultTo(DEFAULT_MIN_PAIR_COUNT),
  Options.withDescription("never merge a pair seen fewer times")
)
const balance = Options.boolean("balance").pipe(
  Options.withDescription("language-balanced sampling of sentences (XLM's exponent smoothing)")
)
const alpha = numberOption("alpha").pipe(
  defaultTo(0.7),
  Options.withDescription("smoothing exponent for --balance (1: as is, 0: languages equal)")
)
const seed = seedOption.pipe(defaultTo(0), Options.withDescription("seed for --balance"))
const data = dataOption

const train = Command.make(
  "train",
  {
    corpus,
    size,
    out,
    format,
    scoring,
    coverage,
    minCharCount,
    minPairCount,
    balance,
    alpha,
    seed,
    data,
    quiet: quietOption
  },
  (flags) =>
    Effect.gen(function* () {
      if (!(flags.alpha > 0 && flags.alpha <= 1))
        return yield* new InvalidVocabOption({
          option: "alpha",
          value: flags.alpha,
          reason: "must be in (0, 1]"
        })
      const started = performance.now()
      const sources = yield* readSources(flags.corpus, flags.format)
      const words = countWords(
        weightedTexts(sources, flags.balance ? { alpha: flags.alpha, seed: flags.seed } : undefined)
      )
      const counted = performance.now()
      const progress = yield* Progress
      const trained = yield* trainWordPiece(words, {
        size: flags.size,
        coverage: flags.coverage,
        minCharCount: flags.minCharCount,
        minPairCount: flags.minPairCount,
        scoring: flags.scoring,
        // the merges run synchronously: each 100th is shown at once
        onToken: (tokens, size) => {
          if (tokens % 100 === 0 || tokens === size)
            Effect.runSync(progress.tick({ stage: "merges", step: tokens, total: size }))
        }
      })
      const vocab = yield* Vocab.make(trained.tokens, flags.out)
      yield* writeVocab(flags.out, vocab)
      const seconds = (t: number) => (t / 1000).toFixed(1)
      const { alphabet, merges } = trained
      const dropped = alphabet.dropped.length
      return [
        ...sources.map((s) => `${s.source.spec}: ${s.sentences.length} sentences (${s.format})`),
        `${trained.words.unique} distinct words; ${trained.words.uncovered} of them hold a dropped character ` +
          `(${trained.words.uncoveredCount} occurrences), ${trained.words.tooLong} are too long`,
        `alphabet: ${alphabet.kept.length} characters kept, ${dropped} dropped` +
          (dropped > 0
            ? ` (most frequent dropped: ${alphabet.dropped
                .slice(0, 10)
                .map(([c, n]) => `${c}×${n}`)
                .join(" ")})`
            : ""),
        `${flags.out}: ${vocab.size} tokens (${merges.length} merges, scoring ${flags.scoring}); ` +
          `counting ${seconds(counted - started)} s, training ${seconds(performance.now() - counted)} s`
      ].join("\n")
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          Corpora.at(Option.getOrUndefined(flags.data)),
          NodeFileSystem.layer,
          progressLayer(flags.quiet)
        )
      ),
      // printed once progress has closed (on a terminal, it would land on the status line)
      Effect.flatMap(Console.error)
    )
).pipe(Command.withDescription("Train a WordPiece vocabulary (vocab.txt) on training/dev text"))

export const vocabCommand = Command.make("vocab").pipe(
  Command.withDescription(describe("vocab")),
  Command.withSubcommands([train])
)
