/**
 * `npm run bench:xlmr -- [--steps S] [--rows R] [--seq T] [--layers L] [--vocab V] [--backend B] [--threads N]`:
 * memory and time of one ConCNER teacher step (`trainStep`, CE on source + translation rows, LCL, TCL,
 * AdamW, clipping) on an XLM-R-base-shaped random checkpoint — 12 layers × hidden 768, 12 heads, FFN
 * 3072, vocabulary 250,002, 514 positions, layer-norm ε 1e-5 — at batch 16 × 128 (8 source rows + their
 * 8 translations, every row full). The word embeddings train sparsely (`sparseWordEmbeddings`).
 * Prints the seconds of parameter initialisation and of each step, the peak RSS, the wasm heap and
 * the load average before and after.
 */
import { loadavg } from "node:os"
import { parseArgs } from "node:util"
import { Effect, Either } from "effect"
import { IGNORE_INDEX } from "../src/data/labels.js"
import { entityTypesOfTags } from "../src/losses/labelRelation.js"
import { paperObjectives } from "../src/losses/objective.js"
import { decodeBertConfig } from "../src/model/config.js"
import { countParams, initParams, scopedParams } from "../src/model/params.js"
import { TensorRuntime } from "../src/runtime/TensorRuntime.js"
import { tf } from "../src/runtime/tf.js"
import { makeAdamW } from "../src/train/adamw.js"
import type { Batch } from "../src/train/batches.js"
import { trainStep } from "../src/train/step.js"
import { benchTags } from "./workload.js"

const { values: flags } = parseArgs({
  options: {
    steps: { type: "string", default: "3" },
    rows: { type: "string", default: "16" },
    seq: { type: "string", default: "128" },
    layers: { type: "string", default: "12" },
    vocab: { type: "string", default: "250002" },
    backend: { type: "string" },
    threads: { type: "string" }
  }
})
const steps = Number(flags.steps)
const rows = Number(flags.rows)
const seq = Number(flags.seq)
const vocab = Number(flags.vocab)

const config = Either.getOrThrow(
  decodeBertConfig(
    {
      model_type: "xlm-roberta",
      vocab_size: vocab,
      hidden_size: 768,
      num_hidden_layers: Number(flags.layers),
      num_attention_heads: 12,
      intermediate_size: 3072,
      max_position_embeddings: 514,
      type_vocab_size: 1,
      layer_norm_eps: 1e-5,
      pad_token_id: 1
    },
    "<xlm-r-base>"
  )
)

/** `rows` full rows of ids drawn with a fixed LCG (no padding), labels on 2 of 3 subwords. */
const batch = (): Batch => {
  let state = 12345
  const next = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    return state / 2 ** 32
  }
  const inputIds = new Int32Array(rows * seq)
  const labels = new Int32Array(rows * seq)
  for (let r = 0; r < rows; r++)
    for (let t = 0; t < seq; t++) {
      const i = r * seq + t
      inputIds[i] = t === 0 ? 0 : t === seq - 1 ? 2 : 4 + Math.floor(next() * (vocab - 5))
      labels[i] = t > 0 && t < seq - 1 && t % 3 !== 2 ? i % benchTags.length : IGNORE_INDEX
    }
  return {
    epoch: 0,
    batch: 0,
    indices: Array.from({ length: rows / 2 }, (_, i) => i),
    rows,
    length: seq,
    inputIds,
    attentionMask: new Int32Array(rows * seq).fill(1),
    labels,
    source: [0, rows / 2],
    translation: [rows / 2, rows]
  }
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024)
/** Wall and process-CPU seconds of `f` (CPU time hardly moves with other processes' load). */
const time = <A>(f: () => A): [A, number, number] => {
  const start = performance.now()
  const cpu = process.cpuUsage()
  const a = f()
  const used = process.cpuUsage(cpu)
  return [a, (performance.now() - start) / 1000, (used.user + used.system) / 1e6]
}

/** The wasm heap's size in MB (it only grows: its size is the peak so far), or undefined off wasm. */
const heapMb = () => {
  const backend = tf.backend() as { wasm?: { HEAPU8: Uint8Array } }
  const bytes = backend.wasm?.HEAPU8.buffer.byteLength
  return bytes === undefined ? undefined : Math.round(bytes / 2 ** 20)
}

const program = Effect.gen(function* () {
  const info = yield* (yield* TensorRuntime).info
  const loadBefore = loadavg().map((x) => x.toFixed(2))
  const initStart = performance.now()
  const params = yield* scopedParams(() => initParams(config, benchTags.length, 42))
  const optimizer = yield* makeAdamW(params)
  const initSeconds = (performance.now() - initStart) / 1000
  const heapAfterInit = heapMb()
  console.error(
    `init: ${initSeconds.toFixed(1)} s, wasm heap ${heapAfterInit} MB, peak RSS ${peakRssMb()} MB`
  )
  const trainee = { params, config, optimizer }
  const settings = {
    run: "bench-xlmr",
    seed: 1,
    objective: paperObjectives["concner-no-kd"],
    stage: "teacher" as const,
    maxGradNorm: 1,
    tagTypes: entityTypesOfTags(benchTags)
  }
  const b = batch()
  const stepSeconds: Array<number> = []
  const stepCpuSeconds: Array<number> = []
  for (let s = 0; s < steps; s++) {
    const [result, seconds, cpu] = time(() => trainStep(trainee, settings, b, s, 2e-5))
    if (Either.isLeft(result)) throw new Error(result.left.message)
    stepSeconds.push(Number(seconds.toFixed(2)))
    stepCpuSeconds.push(Number(cpu.toFixed(2)))
    console.error(
      `step ${s}: ${seconds.toFixed(2)} s wall, ${cpu.toFixed(2)} s CPU, loss ${result.right.loss.toFixed(4)}, wasm heap ${heapMb()} MB, peak RSS ${peakRssMb()} MB`
    )
  }
  const memory = tf.memory()
  return {
    shape: `${config.numHiddenLayers} × ${config.hiddenSize}, vocab ${config.vocabSize}`,
    parameters: countParams(params),
    batch: `${rows} × ${seq}`,
    backend: info.backend,
    threads: flags.threads ?? "default",
    init_seconds: Number(initSeconds.toFixed(1)),
    step_seconds: stepSeconds,
    tokens_per_second: Math.round((rows * seq) / Math.min(...stepSeconds)),
    peak_rss_mb: peakRssMb(),
    step_cpu_seconds: stepCpuSeconds,
    wasm_heap_mb_after_init: heapAfterInit,
    wasm_heap_mb: heapMb(),
    tensor_mb: Math.round(memory.numBytes / 2 ** 20),
    load_average_before: loadBefore,
    load_average_after: loadavg().map((x) => x.toFixed(2))
  }
})

Effect.runPromise(
  Effect.scoped(program).pipe(
    Effect.provide(
      TensorRuntime.layer({
        ...(flags.backend !== undefined ? { backend: flags.backend } : {}),
        ...(flags.threads !== undefined
          ? { threads: Number(flags.threads), nativeThreads: Number(flags.threads) }
          : {})
      })
    )
  )
).then(
  (report) => console.log(JSON.stringify(report)),
  (e) => {
    console.error(e instanceof Error ? e.message : String(e))
    process.exitCode = 1
  }
)
