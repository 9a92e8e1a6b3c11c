/**
 * The `TensorRuntime` service: chooses the tfjs backend once, registers the kernels BERT training
 * needs on it, and reports what it chose. There is no single default (it depends on what is
 * installed and on flags), hence a `Context.Tag` with layers rather than `Effect.Service`.
 */
import { Config, Context, Effect, Layer, Option } from "effect"
import { type BackendName, type BackendRequest, backendNames, selectBackend } from "./backends.js"
import {
  type BackendSource,
  type BackendSwitchWithLiveTensors,
  type BackendUnavailable,
  type NativeSettingInvalid,
  UnknownBackend
} from "./errors.js"
import { NativeInfo, RuntimeInfo, RuntimeMemory, SkippedBackend } from "./info.js"
import {
  disableNativeKernels,
  enableNativeKernels,
  nativeCapability,
  registerCustomKernels
} from "./kernels.js"
import { type RecordedNative, applyNativeSettings } from "./nativeSettings.js"
import { tf } from "./tf.js"

export interface RuntimeOptions {
  /** a backend name or "auto"; beats `CONCNER_BACKEND` */
  readonly backend?: string
  /** compute threads where the backend allows setting them (wasm, before it first initialises) */
  readonly threads?: number
  /** use the native addon's kernels when it loaded (default true); `CONCNER_NATIVE=0` also turns them off */
  readonly native?: boolean
  /** the native kernels' threads (`--threads`; else CONCNER_THREADS, else every core: nativeSettings.ts) */
  readonly nativeThreads?: number
  /** the GEMM and threads a recorded run used, for a re-run to repeat them (nativeSettings.ts) */
  readonly recordedNative?: RecordedNative
}

/** Accepted names: the backends plus "auto" (fastest available). */
export const backendChoices = ["auto", ...backendNames] as const

/** Parses a backend name; "auto" means no explicit request. */
export const parseBackendName = (
  name: string,
  source: BackendSource
): Effect.Effect<BackendRequest | undefined, UnknownBackend> =>
  name === "auto"
    ? Effect.succeed(undefined)
    : (backendNames as ReadonlyArray<string>).includes(name)
      ? Effect.succeed({ name: name as BackendName, source })
      : Effect.fail(new UnknownBackend({ name, source, choices: backendChoices }))

// tfjs has one global engine: selections must not interleave.
const selectionLock = Effect.unsafeMakeSemaphore(1)

const snapshotMemory = Effect.sync(() => {
  const m = tf.memory()
  return new RuntimeMemory({
    numTensors: m.numTensors,
    numDataBuffers: m.numDataBuffers,
    numBytes: m.numBytes,
    unreliable: m.unreliable ?? false,
    rssBytes: process.memoryUsage().rss
  })
})

/** Turns the native kernels on (when possible and wanted) or off, and says which and why. */
const nativeInfo = (backend: string, options: RuntimeOptions) =>
  Effect.gen(function* () {
    const wanted = options.native ?? true
    const capability = nativeCapability(backend)
    if (!wanted || !capability.available) {
      if (backend === "wasm") disableNativeKernels()
      return new NativeInfo({
        active: false,
        reason: wanted ? (capability.available ? "unused" : capability.reason) : "turned off (native: false)",
        kernels: [],
        gemm: null,
        gemmIsa: null,
        gemmReason: null,
        blasThreads: null,
        threadsReason: null,
        blas: null
      })
    }
    const settings = yield* applyNativeSettings(capability.addon, capability.openblasReason, {
      ...(options.nativeThreads !== undefined ? { threads: options.nativeThreads } : {}),
      ...(options.recordedNative !== undefined ? { recorded: options.recordedNative } : {})
    })
    const blas = settings.gemm === "openblas" ? capability.addon.blasInfo().trim() : null
    return new NativeInfo({
      active: true,
      reason: settings.gemm === "openblas" ? "OpenBLAS GEMM" : `built-in GEMM (${settings.isa})`,
      kernels: enableNativeKernels(),
      gemm: settings.gemm,
      gemmIsa: settings.isa,
      gemmReason: settings.gemmReason,
      blasThreads: settings.threads,
      threadsReason: settings.threadsReason,
      blas
    })
  })

const make = Effect.fn("TensorRuntime.make")(function* (options: RuntimeOptions) {
  const env = yield* Config.option(Config.string("CONCNER_BACKEND")).pipe(Effect.orDie)
  // an empty CONCNER_BACKEND counts as unset (the usual `VAR= cmd` idiom)
  const named =
    options.backend !== undefined
      ? { name: options.backend, source: "option" as const }
      : Option.isSome(env) && env.value !== ""
        ? { name: env.value, source: "env" as const }
        : undefined
  const request = named === undefined ? undefined : yield* parseBackendName(named.name, named.source)
  const selection = yield* selectionLock.withPermits(1)(selectBackend(request, options.threads))
  const customKernels = registerCustomKernels(selection.backend)
  const native = yield* nativeInfo(selection.backend, options)
  const fixed = {
    backend: selection.backend,
    selectedBy: request?.source ?? ("auto" as const),
    tfjsVersion: tf.version_core,
    backendVersion: selection.backendVersion,
    nodeVersion: process.version,
    simd: selection.simd,
    threads: selection.threads,
    threadsNote: selection.threadsNote,
    customKernels: customKernels.map((k) => `${k} (${selection.backend})`),
    native,
    fasterNotInUse: selection.skipped.map((s) => new SkippedBackend(s))
  }
  return {
    backend: selection.backend,
    info: Effect.map(snapshotMemory, (memory) => new RuntimeInfo({ ...fixed, memory }))
  }
})

export class TensorRuntime extends Context.Tag("concner/TensorRuntime")<
  TensorRuntime,
  {
    /** the backend every tensor lives on */
    readonly backend: BackendName
    /** the choice, its reasons and a fresh memory snapshot */
    readonly info: Effect.Effect<RuntimeInfo>
  }
>() {
  /** `options.backend`, else `CONCNER_BACKEND`, else the fastest available backend. */
  static readonly layer = (
    options: RuntimeOptions = {}
  ): Layer.Layer<
    TensorRuntime,
    UnknownBackend | BackendUnavailable | BackendSwitchWithLiveTensors | NativeSettingInvalid
  > => Layer.effect(TensorRuntime, make(options))
}
