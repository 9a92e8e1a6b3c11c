/**
 * `concner pretrain --config FILE --vocab FILE --out DIR [--max-steps N] [--resume]`: MLM + TLM
 * pretraining of a BERT (`src/pretrain`), writing an HF `BertForMaskedLM` folder and its model card
 * to DIR; progress on stderr, a summary on stdout (JSON with `--json`).
 */
import { Command, Options } from "@effect/cli"
import { NodeFileSystem } from "@effect/platform-node"
import { Console, Effect, Layer, Option } from "effect"
import { Corpora } from "../data/index.js"
import {
  type LanguageScore,
  type PretrainStepResult,
  loadPretrainConfig,
  readPretrainData,
  runPretraining
} from "../pretrain/index.js"
import { Progress, type ProgressService, TensorRuntime, formatDuration } from "../runtime/index.js"
import { BertTokenizer, loadVocab } from "../text/index.js"
import { describe } from "./commands.js"
import {
  backendOption,
  dataOption,
  givenFlags,
  integerOption,
  jsonResultOption,
  outOption,
  progressLayer,
  quietOption,
  runtimeLayer
} from "./common.js"

const config = Options.file("config", { exists: "yes" }).pipe(
  Options.withDescription("JSON: {model: BERT config.json fields, seed, steps, batchSize, maxLength, lr, …}")
)
const vocab = Options.file("vocab", { exists: "yes" }).pipe(
  Options.withDescription("vocab.txt (with [MASK])")
)
const out = outOption.pipe(Options.withDescription("output folder (checkpoint, card, run/)"))
const maxSteps = integerOption("max-steps").pipe(
  Options.optional,
  Options.withDescription("total steps (default: the config's steps)")
)
const resume = Options.boolean("resume").pipe(
  Options.withDescription("continue from out/run/state.safetensors")
)
const data = dataOption
const backend = backendOption

/** Each step as a progress tick (masked-token accuracy and learning rate as detail). */
const tick = (progress: ProgressService) => (r: PretrainStepResult, total: number) =>
  progress.tick({
    stage: "pretrain",
    step: r.step + 1,
    total,
    loss: r.loss,
    tokens: r.tokens,
    detail: `acc ${(100 * r.accuracy).toFixed(1)} % lr ${r.lr.toExponential(2)}`
  })

/** What a person reads at the end: steps, time, held-out masked-token accuracy per language. */
const formatSummary = (
  out: string,
  summary: {
    readonly steps: number
    readonly wallSeconds: number
    readonly heldOut: ReadonlyArray<LanguageScore>
  }
) =>
  [
    `${out}: ${summary.steps} steps in ${formatDuration(summary.wallSeconds * 1000)} (all sittings); MODEL_CARD.md has the loss curve`,
    ...(summary.heldOut.length > 0
      ? [
          "| held-out language | sentences | masked-token accuracy | loss |",
          "|---|---|---|---|",
          ...summary.heldOut.map(
            (h) =>
              `| ${h.lang} | ${h.sentences} | ${(100 * h.accuracy).toFixed(1)} % | ${h.loss.toFixed(3)} |`
          )
        ]
      : [])
  ].join("\n")

export const pretrainCommand = Command.make(
  "pretrain",
  { config, vocab, out, maxSteps, resume, data, backend, quiet: quietOption, json: jsonResultOption },
  (flags) =>
    Effect.gen(function* () {
      const progress = yield* Progress
      const tokenizer = new BertTokenizer(yield* loadVocab(flags.vocab))
      const { settings, model } = yield* loadPretrainConfig(flags.config, tokenizer.vocab.size)
      const runtime = yield* TensorRuntime
      // Corpora caches every corpus it loads: provided to the reading alone, the sentences are
      // garbage once the examples exist, so V8 does not mark them on every major GC of the run
      const pretrainData = yield* readPretrainData(settings.sources, tokenizer, settings).pipe(
        Effect.provide(Corpora.at(Option.getOrUndefined(flags.data)))
      )
      const summary = yield* Effect.scoped(
        runPretraining({
          out: flags.out,
          settings,
          model,
          tokenizer,
          data: pretrainData,
          steps: Option.getOrElse(flags.maxSteps, () => settings.steps),
          resume: flags.resume,
          backend: runtime.backend,
          onStep: tick(progress)
        })
      )
      return summary
    }).pipe(
      Effect.provide(
        Layer.mergeAll(
          NodeFileSystem.layer,
          runtimeLayer(flags.backend),
          progressLayer(flags.quiet, [
            "pretrain",
            "--config",
            flags.config,
            "--vocab",
            flags.vocab,
            "--out",
            flags.out,
            ...givenFlags({ "max-steps": flags.maxSteps, data: flags.data, backend: flags.backend }),
            "--resume"
          ])
        )
      ),
      // printed once progress has closed (on a terminal, it would land on the status line)
      Effect.flatMap((summary) =>
        Console.log(flags.json ? JSON.stringify(summary) : formatSummary(flags.out, summary))
      )
    )
).pipe(Command.withDescription(describe("pretrain")))
