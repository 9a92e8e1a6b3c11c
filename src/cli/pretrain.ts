/**
 * `concner pretrain --config FILE --vocab FILE --out DIR [--steps N] [--resume]`: MLM + TLM
 * pretraining of a BERT (`src/pretrain`), writing an HF `BertForMaskedLM` folder and its model card
 * to DIR; progress on stderr, a JSON summary on stdout.
 */
import { Command, Options } from "@effect/cli"
import { NodeFileSystem } from "@effect/platform-node"
import { Console, Effect, Layer, Option } from "effect"
import { Corpora } from "../data/index.js"
import {
  type PretrainStepResult,
  loadPretrainConfig,
  readPretrainData,
  runPretraining
} from "../pretrain/index.js"
import { TensorRuntime } from "../runtime/index.js"
import { BertTokenizer, loadVocab } from "../text/index.js"
import { describe } from "./commands.js"
import { backendOption, dataOption, integerOption, outOption, runtimeLayer } from "./common.js"

const config = Options.file("config", { exists: "yes" }).pipe(
  Options.withDescription("JSON: {model: BERT config.json fields, seed, steps, batchSize, maxLength, lr, …}")
)
const vocab = Options.file("vocab", { exists: "yes" }).pipe(
  Options.withDescription("vocab.txt (with [MASK])")
)
const out = outOption.pipe(Options.withDescription("output folder (checkpoint, card, run/)"))
const steps = integerOption("steps").pipe(
  Options.optional,
  Options.withDescription("total steps (overrides the config)")
)
const resume = Options.boolean("resume").pipe(
  Options.withDescription("continue from out/run/state.safetensors")
)
const data = dataOption
const backend = backendOption

/** One redrawn line on a TTY; otherwise a plain line every `every` steps and at the end. */
const progress = (every: number) => {
  let first: { readonly step: number; readonly at: number } | undefined
  const tty = process.stderr.isTTY === true
  return (r: PretrainStepResult, total: number) =>
    Effect.sync(() => {
      // timed from the end of the first step this process ran (a resumed run starts mid-way)
      first ??= { step: r.step, at: performance.now() }
      const done = r.step + 1
      if (!tty && done % every !== 0 && done !== total) return
      const timed = r.step - first.step
      const perStep = timed > 0 ? `${((performance.now() - first.at) / 1000 / timed).toFixed(2)} s/step` : ""
      const line = `step ${done}/${total} loss ${r.loss.toFixed(3)} acc ${(100 * r.accuracy).toFixed(1)} % lr ${r.lr.toExponential(2)} ${perStep}`
      process.stderr.write(tty ? `\r\x1b[K${line}${done === total ? "\n" : ""}` : `${line}\n`)
    })
}

export const pretrainCommand = Command.make(
  "pretrain",
  { config, vocab, out, steps, resume, data, backend },
  (flags) =>
    Effect.gen(function* () {
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
          steps: Option.getOrElse(flags.steps, () => settings.steps),
          resume: flags.resume,
          backend: runtime.backend,
          onStep: progress(settings.stateEvery)
        })
      )
      yield* Console.log(JSON.stringify(summary))
    }).pipe(Effect.provide(Layer.mergeAll(NodeFileSystem.layer, runtimeLayer(flags.backend))))
).pipe(Command.withDescription(describe("pretrain")))
