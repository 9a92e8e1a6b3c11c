/**
 * Backend probing and selection: `tensorflow` (tfjs-node-gpu › tfjs-node, optional packages) ›
 * `wasm` › `cpu`. Every backend that is faster than the chosen one gets a recorded reason.
 */
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import * as path from "node:path"
import { getThreadsCount, setThreadsCount, setWasmPaths, version_wasm } from "@tensorflow/tfjs-backend-wasm"
import { Effect } from "effect"
import { type BackendSource, BackendSwitchWithLiveTensors, BackendUnavailable } from "./errors.js"
import { tf } from "./tf.js"

/** The backends concner can run on, fastest first. */
export const backendNames = ["tensorflow", "wasm", "cpu"] as const
export type BackendName = (typeof backendNames)[number]

/** A faster backend (or package) that is not in use, and why. */
export interface Skipped {
  readonly backend: string
  readonly reason: string
}

/** What `selectBackend` settled on. */
export interface Selection {
  readonly backend: BackendName
  readonly backendVersion: string
  readonly simd: boolean | null
  readonly threads: number | null
  readonly threadsNote: string
  readonly skipped: ReadonlyArray<Skipped>
}

/** An explicit request: a backend name and where it came from. */
export interface BackendRequest {
  readonly name: BackendName
  readonly source: BackendSource
}

// tfjs-node-gpu first: it is a superset of tfjs-node (CUDA kernels, same "tensorflow" backend name).
const tensorflowPackages = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"] as const

const require = createRequire(import.meta.url)

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!

const isNotFound = (e: unknown) =>
  typeof e === "object" &&
  e !== null &&
  "code" in e &&
  (e.code === "ERR_MODULE_NOT_FOUND" || e.code === "MODULE_NOT_FOUND")

const shortName = (pkg: string) => pkg.replace("@tensorflow/", "")

/** Fails unless switching to `to` is safe: no live tensors on another backend. */
const ensureSwitchable = (to: string) =>
  Effect.suspend(() => {
    const from = tf.engine().backendName as string | null
    const numTensors = tf.engine().state.numTensors
    return from !== null && from !== to && numTensors > 0
      ? Effect.fail(new BackendSwitchWithLiveTensors({ from, to, numTensors }))
      : Effect.void
  })

const setBackend = (name: string) =>
  Effect.flatMap(ensureSwitchable(name), () => Effect.promise(() => tf.setBackend(name)))

/** Loads tfjs-node(-gpu), which registers the "tensorflow" backend, and switches to it. */
const tryTensorflow = Effect.gen(function* () {
  const skipped: Array<Skipped> = []
  for (const pkg of tensorflowPackages) {
    // a variable specifier: the packages are optional and absent from the type graph
    const specifier: string = pkg
    const loaded = yield* Effect.either(
      Effect.tryPromise({ try: () => import(specifier) as Promise<{ version?: unknown }>, catch: (e) => e })
    )
    if (loaded._tag === "Left") {
      // Node's "cannot find package … imported from FILE" adds nothing but a path of this machine
      skipped.push({
        backend: shortName(pkg),
        reason: isNotFound(loaded.left)
          ? `not installed (npm install ${pkg}: its installer downloads a TensorFlow binary)`
          : `failed to load: ${errorText(loaded.left)}`
      })
      continue
    }
    if (!(yield* setBackend("tensorflow"))) {
      skipped.push({
        backend: shortName(pkg),
        reason: "tf.setBackend('tensorflow') failed (see tfjs warning)"
      })
      continue
    }
    const version = loaded.right.version
    return {
      ok: true as const,
      selection: {
        backend: "tensorflow",
        backendVersion: `${shortName(pkg)} ${typeof version === "string" ? version : "unknown"}`,
        simd: null,
        threads: null,
        threadsNote: "libtensorflow manages its own thread pools",
        skipped
      } satisfies Selection
    }
  }
  return { ok: false as const, skipped }
})

const wasmDir = () =>
  `${path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"))}/`

// setWasmPaths throws once the backend has initialised, so it runs at most once per process.
let wasmPathsSet = false

/** Initialises the wasm backend (SIMD binary when supported) and switches to it. */
const tryWasm = (threads: number | undefined) =>
  Effect.gen(function* () {
    const simd = yield* Effect.promise(async () => Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")))
    const multithread = Boolean(
      yield* Effect.promise(() => tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT"))
    )
    const initialised = tf.engine().registry.wasm !== undefined
    if (!initialised) {
      const dir = wasmDir()
      const binary = path.join(dir, simd ? "tfjs-backend-wasm-simd.wasm" : "tfjs-backend-wasm.wasm")
      if (!existsSync(binary)) return { ok: false as const, reason: `${binary} not found` }
      if (!wasmPathsSet) {
        setWasmPaths(dir)
        wasmPathsSet = true
      }
      if (threads !== undefined) setThreadsCount(threads)
    }
    if (!(yield* setBackend("wasm"))) {
      return { ok: false as const, reason: "initialisation failed (see tfjs warning above)" }
    }
    const actual = getThreadsCount()
    const notes = [
      multithread
        ? "XNNPACK thread pool"
        : "multithreaded wasm is unavailable in Node (no global Worker): runs on 1 thread",
      ...(threads !== undefined && threads !== actual
        ? [
            `${threads} thread(s) requested, ${actual} in use${initialised ? " (backend already initialised)" : ""}`
          ]
        : [])
    ]
    return {
      ok: true as const,
      simd,
      threads: actual,
      threadsNote: notes.join("; ")
    }
  })

/** Why a backend faster than the requested one was not even tried. */
const notTried = (request: BackendRequest, faster: ReadonlyArray<BackendName>): Array<Skipped> => {
  const asked =
    request.source === "env" ? `CONCNER_BACKEND=${request.name}` : `--backend ${request.name} was given`
  return faster.map((backend) => ({
    backend,
    reason:
      backend === "tensorflow"
        ? `not tried: ${asked} (${tensorflowPackages.map(installState).join(", ")})`
        : `not tried: ${asked}`
  }))
}

// Resolving (not loading) tells whether an optional package is present without initialising it.
const installState = (pkg: string) => {
  try {
    require.resolve(pkg)
    return `${shortName(pkg)} installed`
  } catch {
    return `${shortName(pkg)} not installed`
  }
}

const cpuSelection = (
  skipped: ReadonlyArray<Skipped>
): Effect.Effect<Selection, BackendSwitchWithLiveTensors> =>
  Effect.as(setBackend("cpu"), {
    backend: "cpu",
    backendVersion: `tfjs-backend-cpu ${tf.version_core}`,
    simd: null,
    threads: 1,
    threadsNote: "the cpu backend runs plain JavaScript on the main thread",
    skipped
  })

const wasmSelection = (
  wasm: { simd: boolean; threads: number; threadsNote: string },
  skipped: ReadonlyArray<Skipped>
): Selection => ({
  backend: "wasm",
  backendVersion: `tfjs-backend-wasm ${version_wasm}`,
  simd: wasm.simd,
  threads: wasm.threads,
  threadsNote: wasm.simd ? wasm.threadsNote : `${wasm.threadsNote}; no wasm SIMD: scalar binary in use`,
  skipped
})

/**
 * Selects the requested backend, or the fastest available one when `request` is undefined.
 * Must run before any tensor exists on another backend.
 */
export const selectBackend = (
  request: BackendRequest | undefined,
  threads: number | undefined
): Effect.Effect<Selection, BackendUnavailable | BackendSwitchWithLiveTensors> =>
  Effect.gen(function* () {
    if (request === undefined) {
      const tensorflow = yield* tryTensorflow
      if (tensorflow.ok) return tensorflow.selection
      const wasm = yield* tryWasm(threads)
      if (wasm.ok) return wasmSelection(wasm, tensorflow.skipped)
      return yield* cpuSelection([...tensorflow.skipped, { backend: "wasm", reason: wasm.reason }])
    }
    switch (request.name) {
      case "tensorflow": {
        const tensorflow = yield* tryTensorflow
        if (tensorflow.ok) return tensorflow.selection
        const reason = tensorflow.skipped.map((s) => `${s.backend} ${s.reason}`).join("; ")
        return yield* new BackendUnavailable({ backend: "tensorflow", source: request.source, reason })
      }
      case "wasm": {
        const wasm = yield* tryWasm(threads)
        if (wasm.ok) return wasmSelection(wasm, notTried(request, ["tensorflow"]))
        return yield* new BackendUnavailable({ backend: "wasm", source: request.source, reason: wasm.reason })
      }
      case "cpu":
        return yield* cpuSelection(notTried(request, ["tensorflow", "wasm"]))
    }
  })
