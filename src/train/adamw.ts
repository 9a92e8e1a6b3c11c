/**
 * AdamW as `torch.optim.AdamW` (which HF's Trainer uses) computes it, per parameter θ with gradient g,
 * at update t = 1, 2, …:
 *
 *   θ ← θ − lr·λ·θ                         decoupled weight decay, before the Adam step
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   θ ← θ − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
 *
 * Parameter groups follow nanoGPT's `configure_optimizers`: tensors with 2+ dimensions (matmul
 * weights, embeddings) are decayed; tensors with fewer (biases, LayerNorm weights and biases) are not.
 * For BERT this is the same split as HF's `no_decay = ["bias", "LayerNorm.weight"]`, without name matching.
 *
 * Why hand-written rather than `tf.train.adam`: that launches ~10 kernels per variable (~0.4 s per
 * step on the tiny model, see PERF-NOTES) and has no decoupled decay. Here the moments are plain
 * Float32Arrays and one fused loop per parameter updates θ, m and v (float64 arithmetic, float32 storage):
 * `adamwInto` in JS, or the native addon's `adamw` when it is loaded — the same operations in the
 * same order, so the two give bit-identical results (tested); the C loop is the faster one.
 * The parameter's own buffer is written in place when no other tensor shares it; otherwise the
 * new values are assigned as a fresh tensor. Either way a step leaves `tf.memory().numTensors`
 * unchanged.
 */
import { MathBackendCPU } from "@tensorflow/tfjs-backend-cpu"
import { BackendWasm } from "@tensorflow/tfjs-backend-wasm"
import { Effect, Schema } from "effect"
import { type NativeAddon, loadNative } from "../runtime/native.js"
import { tf } from "../runtime/tf.js"
import type { GradBuffers } from "./clip.js"
import { OptimizerStateMismatch } from "./errors.js"

export class AdamWConfig extends Schema.Class<AdamWConfig>("AdamWConfig")({
  beta1: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1, { exclusiveMaximum: true })), {
    default: () => 0.9
  }),
  beta2: Schema.optionalWith(Schema.Number.pipe(Schema.between(0, 1, { exclusiveMaximum: true })), {
    default: () => 0.999
  }),
  eps: Schema.optionalWith(Schema.Number.pipe(Schema.nonNegative()), { default: () => 1e-8 }),
  /** λ, applied to decayed tensors only (torch's default). */
  weightDecay: Schema.optionalWith(Schema.Number.pipe(Schema.nonNegative()), { default: () => 0.01 })
}) {}

/** Whether a tensor of this shape gets weight decay: 2+ dimensions (nanoGPT's rule). */
export const isDecayed = (shape: ReadonlyArray<number>): boolean => shape.length >= 2

/** Optimizer state by name: `${param}/m`, `${param}/v` and `step` (a one-element array; exact up to 2²⁴ steps). */
export type AdamWState = Readonly<Record<string, Float32Array>>

export interface AdamW {
  /** Updates applied so far. */
  readonly step: () => number
  /**
   * One update of every parameter with learning rate `lr`; gradients are multiplied by `gradScale`
   * first (the clipping factor from `clipGradNorm`). Every parameter needs a gradient. A parameter
   * named in `rows` has a gradient for those rows (of its first axis) only, in that order: only they
   * are updated, with their moments ("lazy" Adam, as TF's LazyAdam and torch's SparseAdam: the other
   * rows keep their values and moments, no decay, no momentum step).
   */
  readonly update: (
    grads: GradBuffers,
    lr: number,
    gradScale?: number,
    rows?: Readonly<Record<string, Int32Array>>
  ) => void
  /** Copies of the moments and the step count, for checkpoints. */
  readonly exportState: () => AdamWState
  /** Replaces the state with a copy of `state` (as made by `exportState` for the same parameters). */
  readonly importState: (state: AdamWState) => Effect.Effect<void, OptimizerStateMismatch>
}

/** The per-update constants of the fused loop. */
export interface AdamWCoefficients {
  readonly gradScale: number
  readonly beta1: number
  readonly beta2: number
  /** 1 − lr·λ for decayed tensors, else 1 */
  readonly decay: number
  /** lr / (1 − β1ᵗ) */
  readonly stepSize: number
  /** √(1 − β2ᵗ) */
  readonly bc2Sqrt: number
  readonly eps: number
}

/**
 * One fused AdamW update of one tensor: reads θ from `p`, writes it to `out` (`p` itself when
 * updating in place) and updates `m`, `v` in place. The reference for the native `adamw`.
 */
export const adamwInto = (
  p: Float32Array,
  out: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  k: AdamWCoefficients
): void => {
  const { gradScale, beta1, beta2, decay, stepSize, bc2Sqrt, eps } = k
  for (let i = 0; i < out.length; i++) {
    const gi = g[i]! * gradScale
    // moments rounded to float32 before use, as torch keeps them
    const mi = Math.fround(beta1 * m[i]! + (1 - beta1) * gi)
    const vi = Math.fround(beta2 * v[i]! + (1 - beta2) * gi * gi)
    m[i] = mi
    v[i] = vi
    out[i] = p[i]! * decay - (stepSize * mi) / (Math.sqrt(vi) / bc2Sqrt + eps)
  }
}

/** The fused update through the addon when it is loaded (same results bit for bit), else in JS. */
const fusedUpdate = (addon: NativeAddon | undefined): typeof adamwInto =>
  addon === undefined
    ? adamwInto
    : (p, out, g, m, v, k) =>
        addon.adamw(p, out, g, m, v, k.gradScale, k.beta1, k.beta2, k.decay, k.stepSize, k.bc2Sqrt, k.eps)

interface Slot {
  readonly name: string
  readonly variable: tf.Variable
  readonly decayed: boolean
  m: Float32Array
  v: Float32Array
}

/**
 * AdamW over `params`, its moments owned by the current scope: closing the scope releases them and
 * any later use is a defect. The parameters themselves stay owned by their creator.
 */
export const makeAdamW = (
  params: Readonly<Record<string, tf.Variable>>,
  config: AdamWConfig = AdamWConfig.make({})
) =>
  Effect.acquireRelease(
    Effect.sync(() => new FusedAdamW(params, config)),
    (opt) => Effect.sync(() => opt.release())
  ).pipe(Effect.map((opt): AdamW => opt))

class FusedAdamW implements AdamW {
  private slots: Array<Slot>
  private t = 0
  private released = false
  private readonly fused: typeof adamwInto

  constructor(
    params: Readonly<Record<string, tf.Variable>>,
    private readonly config: AdamWConfig
  ) {
    this.slots = Object.entries(params).map(([name, variable]) => {
      if (variable.dtype !== "float32")
        throw new Error(`AdamW: parameter ${name} has dtype ${variable.dtype}`)
      return {
        name,
        variable,
        decayed: isDecayed(variable.shape),
        m: new Float32Array(variable.size),
        v: new Float32Array(variable.size)
      }
    })
    const native = loadNative()
    this.fused = fusedUpdate(native.loaded ? native.addon : undefined)
  }

  step = () => this.t

  update = (
    grads: GradBuffers,
    lr: number,
    gradScale = 1,
    rows: Readonly<Record<string, Int32Array>> = {}
  ) => {
    this.assertLive()
    // check everything before touching anything: a failed update leaves parameters and state as they were
    const known = new Set(this.slots.map((s) => s.name))
    for (const name of Object.keys(grads))
      if (!known.has(name)) throw new Error(`AdamW: gradient for unknown parameter ${name}`)
    for (const { name, m, variable } of this.slots) {
      const g = grads[name]
      if (g === undefined) throw new Error(`AdamW: no gradient for parameter ${name}`)
      const sparse = rows[name]
      const rowSize = m.length / (variable.shape[0] ?? 1)
      const wanted = sparse === undefined ? m.length : sparse.length * rowSize
      if (g.length !== wanted)
        throw new Error(`AdamW: gradient for ${name} has ${g.length} values, expected ${wanted}`)
      if (sparse?.some((r) => r < 0 || r >= (variable.shape[0] ?? 1)))
        throw new Error(`AdamW: a row of ${name} is out of range`)
    }
    const { beta1, beta2, eps, weightDecay } = this.config
    const t = this.t + 1
    const stepSize = lr / (1 - beta1 ** t)
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t)
    for (const slot of this.slots) {
      const g = grads[slot.name]!
      const decay = slot.decayed ? 1 - lr * weightDecay : 1
      const k = { gradScale, beta1, beta2, decay, stepSize, bc2Sqrt, eps }
      const own = ownedBuffer(slot.variable)
      const sparse = rows[slot.name]
      if (sparse !== undefined) this.updateRows(slot, own, sparse, g, k)
      else if (own !== undefined) this.fused(own, own, g, slot.m, slot.v, k)
      else {
        const next = new Float32Array(slot.m.length)
        this.fused(slot.variable.dataSync() as Float32Array, next, g, slot.m, slot.v, k)
        tf.tidy(() => slot.variable.assign(tf.tensor(next, slot.variable.shape, "float32")))
      }
    }
    this.t = t
  }

  /** The fused update of `rows` of a slot only (contiguous rows of its row-major buffer). */
  private updateRows(
    slot: Slot,
    own: Float32Array | undefined,
    rows: Int32Array,
    g: Float32Array,
    k: AdamWCoefficients
  ) {
    const size = slot.m.length / (slot.variable.shape[0] ?? 1)
    const target = own ?? (slot.variable.dataSync() as Float32Array).slice()
    rows.forEach((row, i) => {
      const at = row * size
      const p = target.subarray(at, at + size)
      const m = slot.m.subarray(at, at + size)
      const v = slot.v.subarray(at, at + size)
      this.fused(p, p, g.subarray(i * size, (i + 1) * size), m, v, k)
    })
    if (own === undefined)
      tf.tidy(() => slot.variable.assign(tf.tensor(target, slot.variable.shape, "float32")))
  }

  exportState = (): AdamWState => {
    this.assertLive()
    const state: Record<string, Float32Array> = { step: Float32Array.of(this.t) }
    for (const { name, m, v } of this.slots) {
      state[`${name}/m`] = m.slice()
      state[`${name}/v`] = v.slice()
    }
    return state
  }

  importState = (state: AdamWState) =>
    Effect.suspend(() => {
      this.assertLive()
      const loaded = checkState(this.slots, state)
      if (typeof loaded === "string") return Effect.fail(new OptimizerStateMismatch({ reason: loaded }))
      this.slots.forEach((slot, i) => Object.assign(slot, loaded.moments[i]))
      this.t = loaded.step
      return Effect.void
    }).pipe(Effect.withSpan("AdamW.importState"))

  release() {
    this.released = true
    this.slots = []
  }

  private assertLive() {
    if (this.released) throw new Error("AdamW used after its scope closed")
  }
}

/** Copies of the moments in slot order and the step, or why `state` does not fit the slots. */
const checkState = (
  slots: ReadonlyArray<Slot>,
  state: AdamWState
): { step: number; moments: Array<{ m: Float32Array; v: Float32Array }> } | string => {
  const expected = new Set(["step", ...slots.flatMap(({ name }) => [`${name}/m`, `${name}/v`])])
  const extra = Object.keys(state).filter((k) => !expected.has(k))
  if (extra.length > 0) return `unexpected entries ${extra.join(", ")}`
  const step = state.step
  if (step?.length !== 1 || !Number.isInteger(step[0]) || step[0]! < 0)
    return "`step` must hold one non-negative integer"
  const moments: Array<{ m: Float32Array; v: Float32Array }> = []
  for (const { name, m } of slots) {
    const sm = state[`${name}/m`]
    const sv = state[`${name}/v`]
    if (sm === undefined || sv === undefined) return `missing moments for ${name}`
    if (sm.length !== m.length || sv.length !== m.length)
      return `moments for ${name} have ${sm.length}/${sv.length} values, expected ${m.length}`
    moments.push({ m: sm.slice(), v: sv.slice() })
  }
  return { step: step[0]!, moments }
}

/**
 * The variable's storage as a writable view, when writing it in place is safe: the buffer lives in
 * the active cpu or wasm backend and no other tensor shares it (zero-copy ops such as reshape
 * share buffers and raise the backend's reference count). Otherwise undefined.
 */
const ownedBuffer = (variable: tf.Variable): Float32Array | undefined => {
  const backend = tf.backend()
  if (backend.refCount(variable.dataId) !== 1) return undefined
  if (backend instanceof MathBackendCPU) {
    const values = backend.data.get(variable.dataId)?.values
    return values instanceof Float32Array && values.length === variable.size ? values : undefined
  }
  // a fresh heap view each call: wasm heap growth detaches earlier ones
  if (backend instanceof BackendWasm) return backend.typedArrayFromHeap(variable) as Float32Array
  return undefined
}
