/**
 * `npm run bench -- --config tiny|small [--vocab V] [--seq T] [--steps S] [--rounds R] [--backend B]
 *   [--threads N|N,M,…] [--gemm all|builtin|openblas] [--json] [--profile] [--no-native] [--no-reference]`
 *
 * With the native kernels, each round times the step on every GEMM the addon has (`--gemm all`, the
 * default: the built-in one, then OpenBLAS where built in), switched at run time in one process,
 * and a table gives each GEMM's GFLOP/s on the step's products alone (gemmShapes.ts).
 *
 * Times the ConCNER training step (see workload.ts) and the forward pass, and the same step in the
 * PyTorch mirror where `torch` is importable. The two are interleaved: R rounds of S training steps
 * and S forward passes each, ours then PyTorch's, so on a shared machine both see the same load;
 * per-step times are medians over rounds, and the ratio is the median of the per-round ratios,
 * in wall time and in process CPU time (which other processes' load hardly moves).
 * Both sides use `--threads` compute threads (default 1); a list (`--threads 1,2`) runs the benchmark
 * once per count, each in its own process, and prints how each side's step time scales (scaling.ts). `--profile` adds one profiled training
 * step and one profiled forward pass: milliseconds per tfjs kernel. Arguments are parsed with
 * `node:util` `parseArgs`: this is a script, not a `concner` subcommand.
 */
import { loadavg } from "node:os"
import { parseArgs } from "node:util"
import { Effect } from "effect"
import { TensorRuntime } from "../src/runtime/TensorRuntime.js"
import { loadNative } from "../src/runtime/native.js"
import { tf } from "../src/runtime/tf.js"
import { gemmTable } from "./gemmShapes.js"
import { kernelProfile } from "./profile.js"
import { startReference } from "./reference.js"
import { runPerThreadCount, scaling } from "./scaling.js"
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
    gemm: { type: "string", default: "all" },
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
// the same count on both sides (the native kernels' threads, and the mirror's torch and BLAS threads)
const threadCounts = flags.threads.split(",").map((t) => count("threads", t, 1))
const threads = threadCounts[0]!
if (!["all", "builtin", "openblas"].includes(flags.gemm))
  throw new Error(`--gemm must be all, builtin or openblas, got ${flags.gemm}`)
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
  const native = loadNative()
  const addon = info.native.active && native.loaded ? native.addon : undefined
  const isa = addon?.gemmIsas()[0]
  // the GEMMs to time: each switched in before its share of the round
  const gemms =
    addon === undefined
      ? ["stock"]
      : flags.gemm === "all"
        ? addon.blasInfo() === ""
          ? ["builtin"]
          : ["builtin", "openblas"]
        : [flags.gemm]
  const ours = Object.fromEntries(gemms.map((g) => [g, { train: series(), eval: series() }]))
  const theirs = { train: series(), eval: series(), peak: 0 }
  const add = (s: Series, t: { wall: number; cpu: number }) => {
    s.wall.push(t.wall)
    s.cpu.push(t.cpu)
  }
  for (let r = 0; r < rounds; r++) {
    for (const g of gemms) {
      if (addon !== undefined) addon.setGemm(g, isa)
      add(
        ours[g]!.train,
        seconds(() => runTrainStep(model, step++), steps)
      )
      add(
        ours[g]!.eval,
        seconds(() => runEvalStep(model.params, model.config, model.batch), steps)
      )
    }
    if (start.ok) {
      for (const what of ["train", "eval"] as const) {
        const t = yield* start.reference.time(what, steps)
        add(theirs[what], { wall: t.s_per_step, cpu: t.cpu_s_per_step })
        theirs.peak = t.peak_rss_mb
      }
    }
  }
  if (addon !== undefined) addon.setGemm(gemms[0]!, isa)
  const gemmAlone = addon === undefined ? undefined : gemmTable(addon, size, seq, 5)
  const profile = flags.profile
    ? {
        train: yield* Effect.promise(() => kernelProfile(() => runTrainStep(model, step++))),
        eval: yield* Effect.promise(() =>
          kernelProfile(() => runEvalStep(model.params, model.config, model.batch))
        )
      }
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
  const peak = Math.round(process.resourceUsage().maxRSS / 1024)
  const report = {
    config: size,
    backend: info.backend,
    vocab,
    seq,
    batch: 2 * PAIRS,
    threads,
    native: info.native.active
      ? `active (${info.native.gemm === "openblas" ? "OpenBLAS" : `built-in ${info.native.gemmIsa}`} GEMM by default, ${info.native.blasThreads} thread(s))`
      : `inactive: ${info.native.reason}`,
    steps,
    rounds,
    /** ours per GEMM, with its ratios to PyTorch (> 1: we are faster) */
    gemms: Object.fromEntries(
      gemms.map((g) => {
        const o = ours[g]!
        return [
          g,
          {
            ...side(o.train, o.eval, peak),
            ...(start.ok
              ? {
                  ratio: {
                    train: ratio(o.train.wall, theirs.train.wall),
                    train_cpu: ratio(o.train.cpu, theirs.train.cpu),
                    eval: ratio(o.eval.wall, theirs.eval.wall),
                    eval_cpu: ratio(o.eval.cpu, theirs.eval.cpu),
                    peak_rss: round3(peak / theirs.peak)
                  }
                }
              : {})
          }
        ]
      })
    ),
    /** the built-in GEMM's step time over OpenBLAS's (> 1: built-in faster), where both ran */
    builtin_vs_openblas:
      ours.builtin !== undefined && ours.openblas !== undefined
        ? {
            train: ratio(ours.builtin.train.wall, ours.openblas.train.wall),
            eval: ratio(ours.builtin.eval.wall, ours.openblas.eval.wall)
          }
        : undefined,
    gemm_alone_gflops: gemmAlone,
    reference: start.ok
      ? { ...start.reference.info, ready: undefined, ...side(theirs.train, theirs.eval, theirs.peak) }
      : start.reason,
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
        nativeThreads: threads,
        native: !flags["no-native"],
        ...(flags.backend !== undefined ? { backend: flags.backend } : {})
      })
    )
  )
  if (flags.json) {
    console.log(JSON.stringify(profile ? { ...report, profile } : report))
    return
  }
  const { reference, gemms, gemm_alone_gflops, builtin_vs_openblas, load_average, ...rest } = report
  console.log(JSON.stringify(rest))
  console.log(typeof reference === "string" ? `pytorch reference: ${reference}` : JSON.stringify(reference))
  for (const [g, side] of Object.entries(gemms)) {
    const { ratio, ...times } = side as typeof side & { ratio?: Record<string, number> }
    console.log(`gemm ${g}: ${JSON.stringify(times)}`)
    if (ratio)
      console.log(
        `  ratio vs PyTorch (median of ${rounds} interleaved rounds; wall / CPU time): train ${ratio.train}× / ${ratio.train_cpu}×, eval ${ratio.eval}× / ${ratio.eval_cpu}×, peak RSS ${ratio.peak_rss}×`
      )
  }
  if (builtin_vs_openblas)
    console.log(
      `built-in GEMM vs OpenBLAS (step time ratio, > 1: built-in faster): train ${builtin_vs_openblas.train}×, eval ${builtin_vs_openblas.eval}×`
    )
  if (gemm_alone_gflops) {
    console.log(`GEMM alone, GFLOP/s at ${threads} thread(s):`)
    for (const row of gemm_alone_gflops)
      console.log(
        `  ${row.shape.padEnd(36)} ${Object.entries(row.gflops)
          .map(([g, v]) => `${g} ${v}`)
          .join("  ")}`
      )
  }
  console.log(`load average: ${load_average.join(" ")}`)
  if (profile)
    for (const [what, p] of Object.entries(profile)) {
      console.log(
        `profile of one ${what} step: ${p.wallMs.toFixed(0)} ms wall, ${p.totalMs.toFixed(0)} ms in kernels (nested ops counted twice):`
      )
      for (const k of p.kernels.slice(0, 25))
        console.log(
          `  ${k.name.padEnd(28)} ${k.ms.toFixed(1).padStart(8)} ms  ${String(k.calls).padStart(5)} calls`
        )
    }
})

/** `--threads N,M,…`: one benchmark per count, then the scaling between them. */
const perThreadCount = Effect.sync(() => {
  const reports = runPerThreadCount(threadCounts, process.argv.slice(2))
  const scaled = scaling(reports)
  if (flags.json) return console.log(JSON.stringify({ runs: reports, scaling: scaled }))
  for (const r of reports) console.log(JSON.stringify(r))
  for (const s of scaled)
    console.log(
      `scaling of ${s.side}, ${s.threads} threads: train ${s.train}×, eval ${s.eval}× (step time ratio)`
    )
})

Effect.runPromise(threadCounts.length > 1 ? perThreadCount : main).catch((e) => {
  console.error(e instanceof Error ? e.message : String(e))
  process.exitCode = 1
})
