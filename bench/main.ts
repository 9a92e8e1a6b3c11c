/**
 * `npm run bench -- --config tiny|small [--vocab V] [--seq T] [--steps S] [--backend B] [--json]
 *   [--threads N] [--profile] [--no-native] [--no-reference]`
 *
 * Times warm-up + S steps of the ConCNER training step (see workload.ts) and S forward passes,
 * then, where PyTorch is importable, the same step in `bench/reference/concner_step.py` in the same
 * run, and prints both and their ratio. `--profile` adds one profiled step: milliseconds per tfjs
 * kernel, largest first. Arguments are parsed with `node:util` `parseArgs`: this is a script, not
 * a `concner` subcommand.
 */
import { loadavg } from "node:os"
import { parseArgs } from "node:util"
import { Effect } from "effect"
import { TensorRuntime } from "../src/runtime/TensorRuntime.js"
import { tf } from "../src/runtime/tf.js"
import { kernelProfile } from "./profile.js"
import { type ReferenceResult, runReference } from "./reference.js"
import { type BenchSize, PAIRS, benchModel, benchSizes, runEvalStep, runTrainStep } from "./workload.js"

const { values: flags } = parseArgs({
  options: {
    config: { type: "string", default: "tiny" },
    vocab: { type: "string", default: "32000" },
    seq: { type: "string", default: "64" },
    steps: { type: "string", default: "5" },
    warmup: { type: "string", default: "2" },
    backend: { type: "string" },
    threads: { type: "string", default: "1" },
    "no-native": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    "no-reference": { type: "boolean", default: false }
  }
})

const positive = (name: string, text: string) => {
  const n = Number(text)
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`--${name} must be a positive integer, got ${text}`)
  return n
}

const size = flags.config as BenchSize
if (!(size in benchSizes)) throw new Error(`--config must be one of ${Object.keys(benchSizes).join(", ")}`)
const vocab = positive("vocab", flags.vocab)
const seq = positive("seq", flags.seq)
const steps = positive("steps", flags.steps)
const warmup = Number(flags.warmup)
// one compute thread on both sides by default (PERF-NOTES: pinned counts keep runs bit-identical)
const threads = positive("threads", flags.threads)
process.env.CONCNER_BLAS_THREADS ??= String(threads)
const tokens = 2 * PAIRS * seq

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024)

const seconds = (f: () => void, times: number) => {
  const start = process.hrtime.bigint()
  for (let i = 0; i < times; i++) f()
  return Number(process.hrtime.bigint() - start) / 1e9 / times
}

const program = Effect.gen(function* () {
  const info = yield* (yield* TensorRuntime).info
  const model = yield* benchModel(size, vocab, seq)
  let step = 0
  for (let i = 0; i < warmup; i++) runTrainStep(model, step++)
  const sPerStep = seconds(() => runTrainStep(model, step++), steps)
  runEvalStep(model.params, model.config, model.batch)
  const sPerEval = seconds(() => runEvalStep(model.params, model.config, model.batch), steps)
  const profile = flags.profile
    ? yield* Effect.promise(() => kernelProfile(() => runTrainStep(model, step++)))
    : undefined
  const ours = {
    config: size,
    backend: info.backend,
    native: info.native,
    vocab,
    seq,
    batch: 2 * PAIRS,
    s_per_step: sPerStep,
    tokens_per_s: tokens / sPerStep,
    eval_s_per_step: sPerEval,
    eval_tokens_per_s: tokens / sPerEval,
    peak_rss_mb: peakRssMb(),
    threads: info.threads,
    numTensors: tf.memory().numTensors
  }
  return { ours, profile }
})

const main = Effect.gen(function* () {
  const { ours, profile } = yield* Effect.scoped(program).pipe(
    Effect.provide(
      TensorRuntime.layer({
        threads,
        native: !flags["no-native"],
        ...(flags.backend !== undefined ? { backend: flags.backend } : {})
      })
    )
  )
  const reference: ReferenceResult | undefined = flags["no-reference"]
    ? undefined
    : yield* runReference({ config: size, vocab, seq, steps, warmup, threads })
  const ratio =
    reference?.ok === true
      ? {
          train: ours.tokens_per_s / reference.result.tokens_per_s,
          eval: ours.eval_tokens_per_s / reference.result.eval_tokens_per_s,
          peak_rss: ours.peak_rss_mb / reference.result.peak_rss_mb
        }
      : undefined
  const report = {
    ...ours,
    reference:
      reference === undefined
        ? "skipped (--no-reference)"
        : reference.ok
          ? reference.result
          : reference.reason,
    ...(ratio ? { ratio } : {}),
    load_average: loadavg().map((l) => Number(l.toFixed(2))),
    ...(profile ? { profile } : {})
  }
  if (flags.json) console.log(JSON.stringify(report))
  else {
    console.log(JSON.stringify(ours))
    if (reference !== undefined)
      console.log(reference.ok ? JSON.stringify(reference.result) : `pytorch reference: ${reference.reason}`)
    if (ratio)
      console.log(
        `ratio vs PyTorch: train ${ratio.train.toFixed(2)}×, eval ${ratio.eval.toFixed(2)}×, peak RSS ${ratio.peak_rss.toFixed(2)}×`
      )
    console.log(`load average: ${report.load_average.join(" ")}`)
    if (profile) {
      console.log(`profile of one step (${profile.totalMs.toFixed(0)} ms in kernels):`)
      for (const k of profile.kernels.slice(0, 25))
        console.log(
          `  ${k.name.padEnd(28)} ${k.ms.toFixed(1).padStart(8)} ms  ${String(k.calls).padStart(5)} calls`
        )
    }
  }
})

Effect.runPromise(main).catch((e) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exitCode = 1
})
