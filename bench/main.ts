/**
 * `npm run bench -- --config tiny|small [--vocab V] [--seq T] [--steps S] [--rounds R] [--backend B]
 *   [--threads N] [--json] [--profile] [--no-native] [--no-reference]`
 *
 * Times the ConCNER training step (see workload.ts) and the forward pass, and the same step in the
 * PyTorch mirror where `torch` is importable. The two are interleaved: R rounds of S training steps
 * and S forward passes each, ours then PyTorch's, so on a shared machine both see the same load;
 * per-step times are medians over rounds, and the ratio is the median of the per-round ratios,
 * in wall time and in process CPU time (which other processes' load hardly moves).
 * Both sides use `--threads` compute threads (default 1). `--profile` adds one profiled step:
 * milliseconds per tfjs kernel. Arguments are parsed with `node:util` `parseArgs`: this is a
 * script, not a `concner` subcommand.
 */
import { loadavg } from "node:os"
import { parseArgs } from "node:util"
import { Effect } from "effect"
import { TensorRuntime } from "../src/runtime/TensorRuntime.js"
import { tf } from "../src/runtime/tf.js"
import { kernelProfile } from "./profile.js"
import { startReference } from "./reference.js"
import { type BenchSize, PAIRS, benchModel, benchSizes, runEvalStep, runTrainStep } from "./workload.js"

const { values: flags } = parseArgs({
  options: {
    config: { type: "string", default: "tiny" },
    vocab: { type: "string", default: "32000" },
    seq: { type: "string", default: "64" },
    steps: { type: "string", default: "3" },
    rounds: { type: "string", default: "3" },
    warmup: { type: "string", default: "2" },
    backend: { type: "string" },
    threads: { type: "string", default: "1" },
    json: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    "no-native": { type: "boolean", default: false },
    "no-reference": { type: "boolean", default: false }
  }
})

const count = (name: string, text: string, min: number) => {
  const n = Number(text)
  if (!(Number.isInteger(n) && n >= min))
    throw new Error(`--${name} must be an integer ≥ ${min}, got ${text}`)
  return n
}

const size = flags.config as BenchSize
if (!(size in benchSizes)) throw new Error(`--config must be one of ${Object.keys(benchSizes).join(", ")}`)
const vocab = count("vocab", flags.vocab, 2)
const seq = count("seq", flags.seq, 3)
const steps = count("steps", flags.steps, 1)
const rounds = count("rounds", flags.rounds, 1)
const warmup = count("warmup", flags.warmup, 0)
// pinned on both sides: the same BLAS thread count gives bit-identical runs (PERF-NOTES)
const threads = count("threads", flags.threads, 1)
process.env.CONCNER_BLAS_THREADS ??= String(threads)
const tokens = 2 * PAIRS * seq

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** Wall and process-CPU seconds per call. CPU time hardly moves with other processes' load. */
const seconds = (f: () => void, times: number) => {
  const start = process.hrtime.bigint()
  const cpu = process.cpuUsage()
  for (let i = 0; i < times; i++) f()
  const used = process.cpuUsage(cpu)
  return {
    wall: Number(process.hrtime.bigint() - start) / 1e9 / times,
    cpu: (used.user + used.system) / 1e6 / times
  }
}

interface Series {
  readonly wall: Array<number>
  readonly cpu: Array<number>
}
const series = (): Series => ({ wall: [], cpu: [] })

const round3 = (x: number) => Number(x.toPrecision(4))

const program = Effect.gen(function* () {
  const info = yield* (yield* TensorRuntime).info
  const start = flags["no-reference"]
    ? ({ ok: false, reason: "skipped (--no-reference)" } as const)
    : yield* startReference({ config: size, vocab, seq, warmup, threads })
  const model = yield* benchModel(size, vocab, seq)
  let step = 0
  for (let i = 0; i < warmup; i++) runTrainStep(model, step++)
  runEvalStep(model.params, model.config, model.batch)
  const ours = { train: series(), eval: series() }
  const theirs = { train: series(), eval: series(), peak: 0 }
  const add = (s: Series, t: { wall: number; cpu: number }) => {
    s.wall.push(t.wall)
    s.cpu.push(t.cpu)
  }
  for (let r = 0; r < rounds; r++) {
    add(
      ours.train,
      seconds(() => runTrainStep(model, step++), steps)
    )
    add(
      ours.eval,
      seconds(() => runEvalStep(model.params, model.config, model.batch), steps)
    )
    if (start.ok) {
      for (const what of ["train", "eval"] as const) {
        const t = yield* start.reference.time(what, steps)
        add(theirs[what], { wall: t.s_per_step, cpu: t.cpu_s_per_step })
        theirs.peak = t.peak_rss_mb
      }
    }
  }
  const profile = flags.profile
    ? yield* Effect.promise(() => kernelProfile(() => runTrainStep(model, step++)))
    : undefined
  const side = (train: Series, evaluation: Series, peak: number) => ({
    s_per_step: round3(median(train.wall)),
    tokens_per_s: Math.round(tokens / median(train.wall)),
    cpu_s_per_step: round3(median(train.cpu)),
    eval_s_per_step: round3(median(evaluation.wall)),
    eval_tokens_per_s: Math.round(tokens / median(evaluation.wall)),
    eval_cpu_s_per_step: round3(median(evaluation.cpu)),
    peak_rss_mb: peak
  })
  /** median over rounds of PyTorch's time / ours (> 1: we are faster) */
  const ratio = (a: Array<number>, b: Array<number>) => round3(median(a.map((t, i) => b[i]! / t)))
  const report = {
    config: size,
    backend: info.backend,
    vocab,
    seq,
    batch: 2 * PAIRS,
    ...side(ours.train, ours.eval, Math.round(process.resourceUsage().maxRSS / 1024)),
    threads,
    native: info.native.active
      ? `active (${info.native.blasThreads} BLAS thread(s))`
      : `inactive: ${info.native.reason}`,
    steps,
    rounds,
    reference: start.ok
      ? { ...start.reference.info, ready: undefined, ...side(theirs.train, theirs.eval, theirs.peak) }
      : start.reason,
    ...(start.ok
      ? {
          ratio: {
            train: ratio(ours.train.wall, theirs.train.wall),
            train_cpu: ratio(ours.train.cpu, theirs.train.cpu),
            eval: ratio(ours.eval.wall, theirs.eval.wall),
            eval_cpu: ratio(ours.eval.cpu, theirs.eval.cpu),
            peak_rss: round3(Math.round(process.resourceUsage().maxRSS / 1024) / theirs.peak)
          }
        }
      : {}),
    load_average: loadavg().map((l) => Number(l.toFixed(2))),
    numTensors: tf.memory().numTensors
  }
  return { report, profile }
})

const main = Effect.gen(function* () {
  const { report, profile } = yield* Effect.scoped(program).pipe(
    Effect.provide(
      TensorRuntime.layer({
        threads,
        native: !flags["no-native"],
        ...(flags.backend !== undefined ? { backend: flags.backend } : {})
      })
    )
  )
  if (flags.json) {
    console.log(JSON.stringify(profile ? { ...report, profile } : report))
    return
  }
  const { reference, ratio, load_average, ...ours } = report
  console.log(JSON.stringify(ours))
  console.log(typeof reference === "string" ? `pytorch reference: ${reference}` : JSON.stringify(reference))
  if (ratio)
    console.log(
      `ratio vs PyTorch (median of ${rounds} interleaved rounds; wall / CPU time): train ${ratio.train}× / ${ratio.train_cpu}×, eval ${ratio.eval}× / ${ratio.eval_cpu}×, peak RSS ${ratio.peak_rss}×`
    )
  console.log(`load average: ${load_average.join(" ")}`)
  if (profile) {
    console.log(
      `profile of one step: ${profile.wallMs.toFixed(0)} ms wall, ${profile.totalMs.toFixed(0)} ms in kernels (nested ops counted twice):`
    )
    for (const k of profile.kernels.slice(0, 25))
      console.log(
        `  ${k.name.padEnd(28)} ${k.ms.toFixed(1).padStart(8)} ms  ${String(k.calls).padStart(5)} calls`
      )
  }
})

Effect.runPromise(main).catch((e) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exitCode = 1
})
