import { Schema } from "effect"
import { backendNames } from "./backends.js"

/** A faster backend (or package) that is not in use, and why. */
export class SkippedBackend extends Schema.Class<SkippedBackend>("SkippedBackend")({
  backend: Schema.String,
  reason: Schema.String
}) {}

/** tfjs's memory counters plus the process's resident set size, at one moment. */
export class RuntimeMemory extends Schema.Class<RuntimeMemory>("RuntimeMemory")({
  numTensors: Schema.Number,
  numDataBuffers: Schema.Number,
  numBytes: Schema.Number,
  /** true when the backend cannot count its bytes exactly (tfjs's own flag) */
  unreliable: Schema.Boolean,
  rssBytes: Schema.Number
}) {}

/** The native path (the addon's kernels on the wasm backend): in use or not, and why. */
export class NativeInfo extends Schema.Class<NativeInfo>("NativeInfo")({
  active: Schema.Boolean,
  /** what it runs on when active; why it is not in use otherwise */
  reason: Schema.String,
  /** kernels the addon serves on this backend */
  kernels: Schema.Array(Schema.String),
  /** the GEMM in use (nativeSettings.ts); null when inactive */
  gemm: Schema.NullOr(Schema.Literal("builtin", "openblas")),
  /** the built-in GEMM's instruction set (the widest this CPU has); null with OpenBLAS or inactive */
  gemmIsa: Schema.NullOr(Schema.String),
  /** why this GEMM; null when inactive */
  gemmReason: Schema.NullOr(Schema.String),
  /** the native kernels' threads (GEMM included); null when inactive */
  blasThreads: Schema.NullOr(Schema.Number),
  /** where the thread count came from; null when inactive */
  threadsReason: Schema.NullOr(Schema.String),
  /** OpenBLAS's configuration, with the kernel set it chose for this CPU (see `blasCore`), when it is the GEMM; else null */
  blas: Schema.NullOr(Schema.String)
}) {}

/** Everything `concner doctor` reports about the tensor runtime. */
export class RuntimeInfo extends Schema.Class<RuntimeInfo>("RuntimeInfo")({
  backend: Schema.Literal(...backendNames),
  /** how the backend was chosen: the fastest available, `--backend`, or `CONCNER_BACKEND` */
  selectedBy: Schema.Literal("auto", "option", "env"),
  tfjsVersion: Schema.String,
  backendVersion: Schema.String,
  nodeVersion: Schema.String,
  /** wasm SIMD in use; null where the backend has no such switch */
  simd: Schema.NullOr(Schema.Boolean),
  /** compute threads in use; null where the backend manages its own */
  threads: Schema.NullOr(Schema.Number),
  threadsNote: Schema.String,
  /** kernels concner registered on this backend (missing or faster than stock) */
  customKernels: Schema.Array(Schema.String),
  native: NativeInfo,
  memory: RuntimeMemory,
  /** the backends faster than this one that are not in use, with the reason */
  fasterNotInUse: Schema.Array(SkippedBackend)
}) {}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`

/** Human-readable lines for `concner doctor`. */
export const formatRuntimeInfo = (info: RuntimeInfo): string =>
  [
    `backend:          ${info.backend} (${info.backendVersion}; chosen ${
      info.selectedBy === "auto"
        ? "automatically"
        : info.selectedBy === "env"
          ? "by CONCNER_BACKEND"
          : "by --backend"
    })`,
    `tfjs-core:        ${info.tfjsVersion}`,
    `node:             ${info.nodeVersion}`,
    `simd:             ${info.simd === null ? "n/a" : info.simd ? "yes" : "no"}`,
    `backend threads:  ${info.threads ?? "backend default"} (${info.threadsNote})`,
    `custom kernels:   ${info.customKernels.length === 0 ? "none" : info.customKernels.join(", ")}`,
    ...(info.native.active
      ? [
          `native:           active (${info.native.reason}): ${info.native.kernels.join(", ")}`,
          `gemm:             ${
            info.native.gemm === "openblas"
              ? `OpenBLAS (${info.native.blas}; kernel set chosen by OpenBLAS for this CPU unless OPENBLAS_CORETYPE names one)`
              : `built-in, ${info.native.gemmIsa} (the widest instruction set of this CPU it has a kernel for)`
          }; ${info.native.gemmReason} (CONCNER_BLAS=builtin|openblas|auto)`,
          `native threads:   ${info.native.blasThreads} (${info.native.threadsReason})`
        ]
      : [`native:           inactive: ${info.native.reason}`]),
    `memory:           ${info.memory.numTensors} tensors, ${mib(info.memory.numBytes)} in tensors${
      info.memory.unreliable ? " (approximate)" : ""
    }, ${mib(info.memory.rssBytes)} RSS`,
    info.fasterNotInUse.length === 0
      ? "faster backends:  none (this is the fastest concner supports)"
      : "faster backends not in use:",
    ...info.fasterNotInUse.map((s) => `  ${s.backend}: ${s.reason}`)
  ].join("\n")
