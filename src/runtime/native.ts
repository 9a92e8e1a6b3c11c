/**
 * The optional native addon (`native/`, built at install time with its own GEMM, and OpenBLAS where
 * the build found it): loaded once per process. When it is absent or fails to load, `loadNative()`
 * says why and concner runs on the stock kernels. `CONCNER_NATIVE=0` turns it off (to compare, or
 * to rule it out). Which GEMM and how many threads: nativeSettings.ts.
 */
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

/** The addon's functions (see native/src/concner_native.c). Arrays are read and written in place. */
export interface NativeAddon {
  readonly batchMatMul: (
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    aOffsets: Int32Array,
    bOffsets: Int32Array,
    m: number,
    n: number,
    k: number,
    transposeA: boolean,
    transposeB: boolean,
    bias?: Float32Array
  ) => void
  readonly gelu: (x: Float32Array, out: Float32Array) => void
  readonly geluGrad: (x: Float32Array, dy: Float32Array, out: Float32Array) => void
  readonly exp: (x: Float32Array, out: Float32Array) => void
  readonly sumRows: (x: Float32Array, rows: number, cols: number, out: Float32Array) => void
  readonly layerNorm: (
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    rows: number,
    cols: number,
    eps: number,
    out: Float32Array
  ) => void
  readonly layerNormGrad: (
    x: Float32Array,
    gamma: Float32Array,
    dy: Float32Array,
    rows: number,
    cols: number,
    eps: number,
    dx: Float32Array,
    dgamma: Float32Array,
    dbeta: Float32Array
  ) => void
  readonly counterDropout: (
    x: Float32Array,
    out: Float32Array,
    key0: number,
    key1: number,
    threshold: number,
    scale: number
  ) => void
  readonly equalOuter: (a: Int32Array, b: Int32Array, out: Uint8Array) => void
  readonly labelContrastive: (
    cos: Float32Array,
    labels: Int32Array,
    types: Int32Array,
    temperature: number,
    related: number,
    loss: Float32Array,
    stats: Float32Array,
    probs: Float32Array
  ) => void
  readonly labelContrastiveGrad: (
    probs: Float32Array,
    labels: Int32Array,
    types: Int32Array,
    temperature: number,
    related: number,
    stats: Float32Array,
    dy: Float32Array,
    dcos: Float32Array
  ) => void
  readonly adamw: (
    p: Float32Array,
    out: Float32Array,
    g: Float32Array,
    m: Float32Array,
    v: Float32Array,
    gradScale: number,
    beta1: number,
    beta2: number,
    decay: number,
    stepSize: number,
    bc2Sqrt: number,
    eps: number
  ) => void
  readonly sumSquares: (x: Float32Array, acc: number) => number
  readonly binary: (
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    mode: number,
    cols: number
  ) => void
  readonly binaryStrided: (
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    shape: Int32Array,
    aStrides: Int32Array,
    bStrides: Int32Array
  ) => void
  readonly sumCols: (x: Float32Array, rows: number, cols: number, out: Float32Array) => void
  readonly stridedCopy: (
    x: Float32Array | Int32Array,
    out: Float32Array | Int32Array,
    shape: Int32Array,
    strides: Int32Array
  ) => void
  readonly segmentSum: (
    x: Float32Array,
    ids: Int32Array,
    numSegments: number,
    inner: number,
    out: Float32Array
  ) => void
  /** the native kernels' threads (the built-in GEMM's pool and OpenBLAS's); the count in effect */
  readonly setThreads: (n?: number) => number
  /** selects the GEMM ("builtin", "openblas") and the built-in one's instruction set; the selection in words */
  readonly setGemm: (name?: string, isa?: string) => string
  /** the built-in GEMM's instruction sets this CPU has, widest first */
  readonly gemmIsas: () => Array<string>
  /** OpenBLAS's configuration; "" when the build has no OpenBLAS */
  readonly blasInfo: () => string
}

export type NativeStatus =
  | {
      readonly loaded: true
      readonly addon: NativeAddon
      /** OpenBLAS's configuration, "" when the build has none */
      readonly openblas: string
      /** why the build has OpenBLAS or not (native/build/status.json) */
      readonly openblasReason: string
    }
  | { readonly loaded: false; readonly reason: string }

const addonPath = fileURLToPath(new URL("../../native/build/Release/concner_native.node", import.meta.url))
const statusPath = fileURLToPath(new URL("../../native/build/status.json", import.meta.url))

/** The install-time build's record (native/build.mjs), or why it cannot be read. */
const buildStatus = (): { reason?: unknown; openblasReason?: unknown } | string => {
  if (!existsSync(statusPath))
    return "native addon not built (no native/build/status.json: run `node native/build.mjs`)"
  try {
    return JSON.parse(readFileSync(statusPath, "utf8")) as { reason?: unknown; openblasReason?: unknown }
  } catch (e) {
    return `native addon not built (unreadable ${statusPath}: ${e instanceof Error ? e.message : String(e)})`
  }
}

const load = (): NativeStatus => {
  if (process.env.CONCNER_NATIVE === "0") return { loaded: false, reason: "disabled by CONCNER_NATIVE=0" }
  const status = buildStatus()
  if (!existsSync(addonPath))
    return {
      loaded: false,
      reason: typeof status === "string" ? status : `native addon not built: ${String(status.reason)}`
    }
  try {
    const addon = createRequire(import.meta.url)(addonPath) as NativeAddon
    const openblas = addon.blasInfo().trim()
    const recorded = typeof status === "string" ? undefined : status.openblasReason
    return {
      loaded: true,
      addon,
      openblas,
      openblasReason: recorded === undefined ? "no build record (native/build/status.json)" : String(recorded)
    }
  } catch (e) {
    return {
      loaded: false,
      reason: `native addon failed to load: ${e instanceof Error ? e.message : String(e)}`
    }
  }
}

/**
 * The kernel set in OpenBLAS's configuration string (`openblas_get_config`: version, build flags,
 * then the core its DYNAMIC_ARCH dispatch chose, or the one it was built for, then the threading),
 * e.g. `Cooperlake` in `OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64`.
 * Two CPUs of different generations get different kernels and so different bits;
 * `OPENBLAS_CORETYPE=<core>` makes OpenBLAS use the named set where the CPU has its instructions.
 */
export const blasCore = (config: string): string | undefined => {
  const tokens = config.trim().split(/\s+/)
  const last = tokens.at(-1)
  const rest =
    last !== undefined && (last.startsWith("MAX_THREADS=") || last === "SINGLE_THREADED")
      ? tokens.slice(0, -1)
      : tokens
  return rest.length > 2 && rest[0] === "OpenBLAS" ? rest.at(-1) : undefined
}

let cached: NativeStatus | undefined

/** The addon, loaded on first call (the result is cached for the process). */
export const loadNative = (): NativeStatus => {
  cached ??= load()
  return cached
}
