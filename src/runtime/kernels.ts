/**
 * Kernels a backend lacks (or runs too slowly) for BERT training, registered by `TensorRuntime`.
 *
 * `UnsortedSegmentSum` is the gradient of `gather`, i.e. of every embedding lookup:
 * - `wasm` has none (tensorflow/tfjs#8082), so the embedding gradient throws;
 * - `cpu` has one that loops over every segment with tensor ops (equal, cast, mul, sum per row):
 *   with a 32k vocabulary one step does not finish in minutes.
 * Both get the same direct typed-array loop below. Hand-written because no tfjs package ships it.
 * On wasm the native addon, when loaded, runs the same loop in C for float32 (same additions in
 * the same order: the same values, ~10× faster over a 32k-row embedding gradient).
 */
import type { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu"
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm"
import type { KernelConfig, KernelFunc, TensorInfo, UnsortedSegmentSumAttrs } from "@tensorflow/tfjs-core"
import { registerBroadcastGradients } from "./gradients.js"
import { type NativeAddon, loadNative } from "./native.js"
import { nativeKernelConfigs, registerNativeGradients } from "./nativeKernels.js"
import { tf } from "./tf.js"

type NumericArray = Float32Array | Int32Array | Uint8Array

/**
 * out[s, j] += Σ_{i : ids[i] = s} x[i, j], for `inner` = row length; `out` must start zeroed.
 * Out-of-range ids (negative or ≥ numSegments) contribute nothing, as in the stock tfjs kernel.
 */
export const unsortedSegmentSumInto = (
  x: NumericArray,
  ids: Int32Array,
  numSegments: number,
  inner: number,
  out: NumericArray
): void => {
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i]!
    if (s < 0 || s >= numSegments) continue
    const src = i * inner
    const dst = s * inner
    for (let j = 0; j < inner; j++) out[dst + j] = out[dst + j]! + x[src + j]!
  }
}

/** Output shape: segment ids index the leading axes of x (TF semantics; tfjs passes them 1-D). */
const outputShape = (x: TensorInfo, segmentIds: TensorInfo, numSegments: number): Array<number> => {
  const idsRank = segmentIds.shape.length
  if (x.shape.slice(0, idsRank).join(",") !== segmentIds.shape.join(",")) {
    throw new Error(
      `UnsortedSegmentSum: segmentIds shape [${segmentIds.shape}] is not a prefix of x shape [${x.shape}]`
    )
  }
  return [numSegments, ...x.shape.slice(idsRank)]
}

const rowLength = (shape: ReadonlyArray<number>) => shape.slice(1).reduce((a, b) => a * b, 1)

const wasmUnsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const wasm = backend as BackendWasm
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo }
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs
  const shape = outputShape(x, segmentIds, numSegments)
  // Allocate first: malloc may grow the wasm heap and detach every earlier view of it.
  const out = wasm.makeOutput(shape, x.dtype)
  const native = loadNative()
  if (native.loaded && x.dtype === "float32" && segmentIds.shape.length === 1) {
    native.addon.segmentSum(
      wasm.typedArrayFromHeap(x) as Float32Array,
      wasm.typedArrayFromHeap(segmentIds) as Int32Array,
      numSegments,
      rowLength(shape),
      wasm.typedArrayFromHeap(out) as Float32Array
    )
    return out
  }
  const outView = wasm.typedArrayFromHeap(out) as NumericArray
  outView.fill(0) // malloc'd memory holds garbage
  unsortedSegmentSumInto(
    wasm.typedArrayFromHeap(x) as NumericArray,
    wasm.typedArrayFromHeap(segmentIds) as Int32Array,
    numSegments,
    rowLength(shape),
    outView
  )
  return out
}

const cpuUnsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const cpu = backend as MathBackendCPU
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo }
  const { numSegments } = attrs as unknown as UnsortedSegmentSumAttrs
  const shape = outputShape(x, segmentIds, numSegments)
  const size = shape.reduce((a, b) => a * b, 1)
  const out = x.dtype === "int32" ? new Int32Array(size) : new Float32Array(size) // zeroed
  // readSync on the cpu backend returns the stored array itself: no copy.
  const ids = cpu.readSync(segmentIds.dataId)
  unsortedSegmentSumInto(
    cpu.readSync(x.dataId) as NumericArray,
    ids instanceof Int32Array ? ids : Int32Array.from(ids as NumericArray),
    numSegments,
    rowLength(shape),
    out
  )
  return cpu.makeTensorInfo(shape, x.dtype, out)
}

/** The kernels concner registers, per backend. */
const customKernels: Record<string, ReadonlyArray<KernelConfig>> = {
  wasm: [{ kernelName: tf.UnsortedSegmentSum, backendName: "wasm", kernelFunc: wasmUnsortedSegmentSum }],
  cpu: [{ kernelName: tf.UnsortedSegmentSum, backendName: "cpu", kernelFunc: cpuUnsortedSegmentSum }]
}

/** Stock kernels we replaced, by `backend/kernel`, so the native ones can be taken out again. */
const replaced = new Map<string, KernelConfig | undefined>()

const install = (config: KernelConfig): string => {
  const key = `${config.backendName}/${config.kernelName}`
  const current = tf.getKernel(config.kernelName, config.backendName)
  if (current?.kernelFunc !== config.kernelFunc) {
    if (!replaced.has(key)) replaced.set(key, current)
    // unregister first: registerKernel only warns on a duplicate
    if (current !== undefined) tf.unregisterKernel(config.kernelName, config.backendName)
    tf.registerKernel(config)
  }
  return config.kernelName
}

/**
 * Registers concner's kernels for `backendName` (replacing stock ones) and returns their names.
 * Idempotent: a kernel already registered by us is left alone. The native kernels are separate
 * (`enableNativeKernels`): they depend on the addon.
 */
export const registerCustomKernels = (backendName: string): ReadonlyArray<string> => {
  registerBroadcastGradients() // same values as tfjs's Sum/Mean gradients, without ones(x.shape)
  return (customKernels[backendName] ?? []).map(install)
}

/** Whether the native path can run on `backendName`, and why not when it cannot. */
export type NativeCapability =
  | {
      readonly available: true
      readonly addon: NativeAddon
      readonly openblasReason: string
    }
  | { readonly available: false; readonly reason: string }

export const nativeCapability = (backendName: string): NativeCapability => {
  const native = loadNative()
  if (!native.loaded) return { available: false, reason: native.reason }
  if (backendName !== "wasm")
    return {
      available: false,
      reason: `the native kernels work on the wasm backend's heap; the backend is ${backendName}`
    }
  return { available: true, addon: native.addon, openblasReason: native.openblasReason }
}

let nativeConfigs: ReadonlyArray<KernelConfig> | undefined

/**
 * Registers the native kernels on the (initialised) wasm backend and returns their names; [] when
 * the addon is absent. The wasm backend must be initialised first: its stock kernels' setup runs
 * at initialisation, and `disableNativeKernels` puts those stock kernels back.
 */
export const enableNativeKernels = (): ReadonlyArray<string> => {
  const capability = nativeCapability("wasm")
  if (!capability.available) return []
  const stock = (name: string) =>
    (replaced.has(`wasm/${name}`) ? replaced.get(`wasm/${name}`) : tf.getKernel(name, "wasm"))?.kernelFunc
  nativeConfigs ??= nativeKernelConfigs(capability.addon, stock)
  registerNativeGradients()
  return nativeConfigs.map(install)
}

/** Takes the native kernels out again, restoring the stock ones (to compare, or after a failure). */
export const disableNativeKernels = (): void => {
  for (const config of nativeConfigs ?? []) {
    const key = `wasm/${config.kernelName}`
    if (tf.getKernel(config.kernelName, "wasm")?.kernelFunc !== config.kernelFunc) continue
    tf.unregisterKernel(config.kernelName, "wasm")
    const stock = replaced.get(key)
    if (stock !== undefined) tf.registerKernel(stock)
    replaced.delete(key)
  }
}
