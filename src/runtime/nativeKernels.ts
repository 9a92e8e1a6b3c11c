/**
 * Kernels of the `wasm` backend re-registered on the native addon (OpenBLAS + fused loops). They
 * read and write the wasm heap in place, so tensors stay where the wasm backend keeps them and no
 * data is copied in or out (PERF-NOTES.md: the stock wasm matmul falls to a naive loop for any
 * transposed or batched product, i.e. every backward and attention matmul).
 *
 * - `BatchMatMul`: one `cblas_sgemm` per batch, transposes passed to BLAS, batch broadcasting by
 *   repeated offsets (numpy rules, leading dims aligned right).
 * - `Exp`; `Sum` over leading axes (bias gradients) or trailing axes — other reductions go to the
 *   stock kernel.
 * - float32 `Add`, `Sub`, `Multiply`, `RealDiv`: flat loops for same shapes, a row broadcast over
 *   the leading axes (bias adds) and a scalar, a strided loop for any other broadcast (the
 *   attention mask); `Transpose` of float32/int32 tensors (the attention head split) and `Tile`
 *   (the Sum/Mean gradients' broadcast) as strided copies — in C.
 * - `GatherV2` on axis 0 (row copies) and broadcasting `Equal` (LCL's label pairs), in JS on the heap.
 * - `Identity`, same-dtype `Cast` and identity-permutation `Transpose` share the input's buffer (reference counted), no copy.
 * - `ConcnerLinear`: `x · Wᵀ + b` in one GEMM with the bias in its epilogue (inference: `fusedLinear`).
 * - `ConcnerGelu` / `ConcnerGeluGrad`: exact GELU forward and backward in one pass each; the model
 *   uses them through `fusedGelu` when registered (with a gradient), else the erf formula.
 * - `ConcnerDropout`: inverted dropout with the counter-based mask of dropoutMask.ts in one pass, in
 *   C (`fusedDropout`); its gradient is the same kernel on dy (no mask tensor is kept).
 * - `ConcnerLabelContrastive` / `ConcnerLabelContrastiveGrad`: LCL's and TCL's weighted contrastive
 *   loss over `[M, M]` cosines with the pair weights given by labels (`fusedLabelContrastive`): one
 *   pass forward (which keeps the softmax rows), one backward, instead of the weight/mask
 *   matrices and ~30 `[M, M]` kernels.
 * - `ConcnerLayerNorm` / `ConcnerLayerNormGrad`: LayerNorm forward, and dx, dγ, dβ in one backward
 *   pass (`fusedLayerNorm`, a `tf.customGrad`), instead of ~12 broadcasting elementwise kernels.
 *
 * Heap views are taken after every `makeOutput` (malloc may grow the heap and detach older views).
 */
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm"
import type {
  CastAttrs,
  GatherV2Attrs,
  KernelConfig,
  KernelFunc,
  NamedAttrMap,
  SumAttrs,
  Tensor,
  TensorInfo,
  TileAttrs,
  TransposeAttrs
} from "@tensorflow/tfjs-core"
import { dropoutStream } from "./dropoutMask.js"
import type { NativeAddon } from "./native.js"
import { tf } from "./tf.js"

export const GELU = "ConcnerGelu"
export const GELU_GRAD = "ConcnerGeluGrad"
export const LAYER_NORM = "ConcnerLayerNorm"
export const LAYER_NORM_GRAD = "ConcnerLayerNormGrad"
export const DROPOUT = "ConcnerDropout"
export const LABEL_CONTRASTIVE = "ConcnerLabelContrastive"
export const LABEL_CONTRASTIVE_GRAD = "ConcnerLabelContrastiveGrad"
export const LINEAR = "ConcnerLinear"

const heap = (backend: BackendWasm, t: TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array

/**
 * Element offsets of each output batch into a and b for broadcast outer dims (numpy rules).
 * Memoised per shape pair: a step repeats the same few shapes.
 */
const offsetCache = new Map<string, { a: Int32Array; b: Int32Array; outer: Array<number> }>()

export const batchOffsets = (
  outerA: ReadonlyArray<number>,
  outerB: ReadonlyArray<number>,
  matA: number,
  matB: number
) => {
  const key = `${outerA}|${outerB}|${matA}|${matB}`
  const hit = offsetCache.get(key)
  if (hit) return hit
  const outer = tf.broadcast_util.assertAndGetBroadcastShape([...outerA], [...outerB])
  const batch = outer.reduce((x, y) => x * y, 1)
  const a = new Int32Array(batch)
  const b = new Int32Array(batch)
  const sa = broadcastStrides(outerA, outer)
  const sb = broadcastStrides(outerB, outer)
  for (let i = 0; i < batch; i++) {
    let rest = i
    let ia = 0
    let ib = 0
    for (let o = outer.length - 1; o >= 0; o--) {
      const d = outer[o]!
      const idx = rest % d
      rest = (rest - idx) / d
      ia += idx * sa[o]!
      ib += idx * sb[o]!
    }
    a[i] = ia * matA
    b[i] = ib * matB
  }
  const entry = { a, b, outer }
  if (offsetCache.size > 256) offsetCache.clear()
  offsetCache.set(key, entry)
  return entry
}

const batchMatMul =
  (addon: NativeAddon): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo }
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean }
    if (a.dtype !== "float32" || b.dtype !== "float32")
      throw new Error("BatchMatMul for non-float32 tensors is not supported")
    const ra = a.shape.length
    const rb = b.shape.length
    const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!
    const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!
    const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!
    const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!
    if (k !== kb)
      throw new Error(
        `Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`
      )
    const offsets = batchOffsets(a.shape.slice(0, -2), b.shape.slice(0, -2), m * k, k * n)
    const out = wasm.makeOutput([...offsets.outer, m, n], "float32")
    addon.batchMatMul(
      heap(wasm, a),
      heap(wasm, b),
      heap(wasm, out),
      offsets.a,
      offsets.b,
      m,
      n,
      k,
      transposeA,
      transposeB
    )
    return out
  }

/** `x · Wᵀ + b` for x `[N, in]`, W `[out, in]`, b `[out]`: one GEMM with the bias in its epilogue. */
const linear =
  (addon: NativeAddon): KernelFunc =>
  ({ inputs, backend }) => {
    const wasm = backend as BackendWasm
    const { x, weight, bias } = inputs as { x: TensorInfo; weight: TensorInfo; bias: TensorInfo }
    const [n, inp] = x.shape as [number, number]
    const [out, win] = weight.shape as [number, number]
    if (win !== inp || bias.shape.join() !== `${out}`)
      throw new Error(`linear: x [${x.shape}], weight [${weight.shape}] and bias [${bias.shape}] do not fit`)
    const result = wasm.makeOutput([n, out], "float32")
    const zero = Int32Array.of(0)
    addon.batchMatMul(
      heap(wasm, x),
      heap(wasm, weight),
      heap(wasm, result),
      zero,
      zero,
      n,
      out,
      inp,
      false,
      true,
      heap(wasm, bias)
    )
    return result
  }

const exp =
  (addon: NativeAddon, stock: KernelFunc | undefined): KernelFunc =>
  (args) => {
    const wasm = args.backend as BackendWasm
    const { x } = args.inputs as { x: TensorInfo }
    if (x.dtype !== "float32") return callStock(stock, "Exp", args)
    const out = wasm.makeOutput(x.shape, "float32")
    addon.exp(heap(wasm, x), heap(wasm, out))
    return out
  }

const callStock = (stock: KernelFunc | undefined, name: string, args: Parameters<KernelFunc>[0]) => {
  if (stock === undefined) throw new Error(`${name}: no stock wasm kernel to fall back to`)
  return stock(args)
}

/** Sum over leading axes only (what bias gradients and batch means need); else the stock kernel. */
const sum =
  (addon: NativeAddon, stock: KernelFunc | undefined): KernelFunc =>
  (args) => {
    const wasm = args.backend as BackendWasm
    const { x } = args.inputs as { x: TensorInfo }
    const { axis, keepDims } = args.attrs as unknown as SumAttrs
    const rank = x.shape.length
    const axes = tf.util.parseAxisParam(axis, x.shape).sort((p, q) => p - q)
    const leading = axes.length > 0 && axes.length < rank && axes.every((ax, i) => ax === i)
    const trailing = axes.length > 0 && axes.every((ax, i) => ax === rank - axes.length + i)
    if (x.dtype === "float32" && trailing && !leading) {
      const kept = x.shape.slice(0, rank - axes.length)
      const rows = kept.reduce((p, q) => p * q, 1)
      const out = wasm.makeOutput(keepDims ? [...kept, ...axes.map(() => 1)] : kept, "float32")
      addon.sumCols(heap(wasm, x), rows, tf.util.sizeFromShape(x.shape) / Math.max(rows, 1), heap(wasm, out))
      return out
    }
    if (x.dtype !== "float32" || !leading) return callStock(stock, "Sum", args)
    const rows = x.shape.slice(0, axes.length).reduce((p, q) => p * q, 1)
    const kept = x.shape.slice(axes.length)
    const cols = kept.reduce((p, q) => p * q, 1)
    const out = wasm.makeOutput(keepDims ? [...axes.map(() => 1), ...kept] : kept, "float32")
    addon.sumRows(heap(wasm, x), rows, cols, heap(wasm, out))
    return out
  }

/** A new reference to `x`'s buffer (as the stock Reshape does): no copy. */
const share = (backend: BackendWasm, x: TensorInfo): TensorInfo => {
  backend.incRef(x.dataId)
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype }
}

const identity: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as { x: TensorInfo }
  return share(backend as BackendWasm, x)
}

const cast =
  (stock: KernelFunc | undefined): KernelFunc =>
  (args) => {
    const { x } = args.inputs as { x: TensorInfo }
    const { dtype } = args.attrs as unknown as CastAttrs
    return x.dtype === dtype ? share(args.backend as BackendWasm, x) : callStock(stock, "Cast", args)
  }

/**
 * `out` ← x read over `shape` at `strides` (elements; 0 repeats), one C `stridedCopy` — what
 * `Transpose` and `Tile` both are. Nothing to copy when a dimension is 0; rank 0 is one element.
 */
const copyStrided = (
  addon: NativeAddon,
  wasm: BackendWasm,
  x: TensorInfo,
  out: TensorInfo,
  shape: ReadonlyArray<number>,
  strides: ReadonlyArray<number>
) => {
  if (shape.some((d) => d === 0)) return out
  addon.stridedCopy(
    wasm.typedArrayFromHeap(x) as Float32Array | Int32Array,
    wasm.typedArrayFromHeap(out) as Float32Array | Int32Array,
    Int32Array.from(shape.length === 0 ? [1] : shape),
    Int32Array.from(strides.length === 0 ? [0] : strides)
  )
  return out
}

/**
 * Identity-permutation `Transpose` (the embedding gradient asks for one) shares the buffer; other
 * permutations of float32/int32 tensors are one strided copy in C: out axis d reads x's axis
 * perm[d] at that axis's stride.
 */
const transpose =
  (addon: NativeAddon, stock: KernelFunc | undefined): KernelFunc =>
  (args) => {
    const wasm = args.backend as BackendWasm
    const { x } = args.inputs as { x: TensorInfo }
    const { perm } = args.attrs as unknown as TransposeAttrs
    if (perm.every((p, i) => p === i)) return share(wasm, x)
    if ((x.dtype !== "float32" && x.dtype !== "int32") || x.shape.length > 16)
      return callStock(stock, "Transpose", args)
    const shape = perm.map((p) => x.shape[p]!)
    const inStrides = tf.util.computeStrides(x.shape).concat(1)
    return copyStrided(
      addon,
      wasm,
      x,
      wasm.makeOutput(shape, x.dtype),
      shape,
      perm.map((p) => inStrides[p]!)
    )
  }

/**
 * `Tile` of float32/int32 tensors (the Sum/Mean gradients' broadcast, gradients.ts) as one strided
 * copy in C: out axis d splits into (rep, i) with strides (0, x's stride), size-1 axes dropped. The
 * stock wasm kernel computes every element's index separately (~100 ns per element).
 */
const tile =
  (addon: NativeAddon, stock: KernelFunc | undefined): KernelFunc =>
  (args) => {
    const wasm = args.backend as BackendWasm
    const { x } = args.inputs as { x: TensorInfo }
    const { reps } = args.attrs as unknown as TileAttrs
    if ((x.dtype !== "float32" && x.dtype !== "int32") || reps.length !== x.shape.length)
      return callStock(stock, "Tile", args)
    const shape: Array<number> = []
    const strides: Array<number> = []
    let stride = 1
    for (let d = x.shape.length - 1; d >= 0; d--) {
      const size = x.shape[d]!
      if (size !== 1) {
        shape.unshift(size)
        strides.unshift(stride)
      }
      if (reps[d] !== 1) {
        shape.unshift(reps[d]!)
        strides.unshift(0)
      }
      stride *= size
    }
    if (shape.length > 16) return callStock(stock, "Tile", args)
    const out = wasm.makeOutput(
      x.shape.map((size, d) => size * reps[d]!),
      x.dtype
    )
    return copyStrided(addon, wasm, x, out, shape, strides)
  }

/** How a float32 binary op broadcasts, in the cases the addon handles (`binary` in the C file). */
const broadcastMode = (a: ReadonlyArray<number>, b: ReadonlyArray<number>, out: ReadonlyArray<number>) => {
  const size = tf.util.sizeFromShape(out as Array<number>)
  const sa = tf.util.sizeFromShape(a as Array<number>)
  const sb = tf.util.sizeFromShape(b as Array<number>)
  /** `x` is out's trailing dims (leading 1s allowed): its size, else undefined */
  const row = (x: ReadonlyArray<number>) => {
    const dims = x.slice(x.findIndex((d) => d !== 1))
    return dims.length > 0 && dims.join() === out.slice(out.length - dims.length).join()
      ? tf.util.sizeFromShape(dims)
      : undefined
  }
  if (sa === size && sb === size) return { mode: 0, cols: size }
  if (sa === size && sb === 1) return { mode: 3, cols: 1 }
  if (sb === size && sa === 1) return { mode: 4, cols: 1 }
  if (sa === size && row(b) !== undefined) return { mode: 1, cols: sb }
  if (sb === size && row(a) !== undefined) return { mode: 2, cols: sa }
  return undefined
}

const binaryOps = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 } as const

const binary =
  (addon: NativeAddon, name: keyof typeof binaryOps, stock: KernelFunc | undefined): KernelFunc =>
  (args) => {
    const wasm = args.backend as BackendWasm
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo }
    if (a.dtype !== "float32" || b.dtype !== "float32") return callStock(stock, name, args)
    const shape = tf.broadcast_util.assertAndGetBroadcastShape([...a.shape], [...b.shape])
    if (tf.util.sizeFromShape(shape) === 0 || shape.length > 8) return callStock(stock, name, args)
    const how = broadcastMode(a.shape, b.shape, shape)
    const out = wasm.makeOutput(shape, "float32")
    if (how !== undefined)
      addon.binary(binaryOps[name], heap(wasm, a), heap(wasm, b), heap(wasm, out), how.mode, how.cols)
    else
      addon.binaryStrided(
        binaryOps[name],
        heap(wasm, a),
        heap(wasm, b),
        heap(wasm, out),
        Int32Array.from(shape.length === 0 ? [1] : shape),
        Int32Array.from(shape.length === 0 ? [0] : broadcastStrides(a.shape, shape)),
        Int32Array.from(shape.length === 0 ? [0] : broadcastStrides(b.shape, shape))
      )
    return out
  }

/**
 * `GatherV2` along axis 0 (embedding lookups, picking rows): one contiguous row copy per index.
 * The stock kernel walks every element through generic strides. Other axes go to the stock kernel.
 */
const gather =
  (stock: KernelFunc | undefined): KernelFunc =>
  (args) => {
    const wasm = args.backend as BackendWasm
    const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo }
    const { axis, batchDims } = args.attrs as unknown as GatherV2Attrs
    const parsed = tf.util.parseAxisParam(axis, x.shape)[0]
    if (parsed !== 0 || batchDims !== 0 || indices.dtype !== "int32" || x.dtype === "string")
      return callStock(stock, "GatherV2", args)
    const rows = x.shape[0]!
    const inner = x.shape.slice(1).reduce((p, q) => p * q, 1)
    const out = wasm.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype)
    const ids = wasm.typedArrayFromHeap(indices) as Int32Array
    const src = wasm.typedArrayFromHeap(x) as Float32Array | Int32Array | Uint8Array
    const dst = wasm.typedArrayFromHeap(out) as typeof src
    for (let i = 0; i < ids.length; i++) {
      const r = ids[i]!
      if (!(r >= 0 && r < rows)) {
        wasm.disposeData(out.dataId)
        throw new Error(`GatherV2: the index value ${r} is not in [0, ${rows - 1}]`)
      }
      dst.set(src.subarray(r * inner, (r + 1) * inner), i * inner)
    }
    return out
  }

/**
 * Broadcasting `Equal` (LCL compares every label with every other: [M, 1] vs [1, M]). The stock
 * kernel's broadcast path costs ~1 s per step at M ≈ 2,600; integer [M, 1] vs [1, N] goes to the
 * addon, any other broadcast to one strided loop in JS.
 */
const equal =
  (addon: NativeAddon, stock: KernelFunc | undefined): KernelFunc =>
  (args) => {
    const wasm = args.backend as BackendWasm
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo }
    if (a.dtype !== b.dtype || a.dtype === "string" || a.shape.join() === b.shape.join())
      return callStock(stock, "Equal", args)
    const shape = tf.broadcast_util.assertAndGetBroadcastShape([...a.shape], [...b.shape])
    const out = wasm.makeOutput(shape, "bool")
    if (
      a.dtype === "int32" &&
      a.shape.length === 2 &&
      a.shape[1] === 1 &&
      b.shape.length === 2 &&
      b.shape[0] === 1
    ) {
      // [M, 1] vs [1, N] integer labels: the native outer comparison
      addon.equalOuter(
        wasm.typedArrayFromHeap(a) as Int32Array,
        wasm.typedArrayFromHeap(b) as Int32Array,
        wasm.typedArrayFromHeap(out) as Uint8Array
      )
      return out
    }
    const va = wasm.typedArrayFromHeap(a) as Float32Array | Int32Array | Uint8Array
    const vb = wasm.typedArrayFromHeap(b) as typeof va
    const vo = wasm.typedArrayFromHeap(out) as Uint8Array
    const sa = broadcastStrides(a.shape, shape)
    const sb = broadcastStrides(b.shape, shape)
    const rank = shape.length
    const last = rank - 1
    const inner = rank === 0 ? 1 : shape[last]!
    const ia = rank === 0 ? 0 : sa[last]!
    const ib = rank === 0 ? 0 : sb[last]!
    const outer = vo.length / Math.max(inner, 1)
    const index = new Array<number>(rank).fill(0)
    let o = 0
    for (let row = 0; row < outer; row++) {
      let pa = 0
      let pb = 0
      for (let d = 0; d < last; d++) {
        pa += index[d]! * sa[d]!
        pb += index[d]! * sb[d]!
      }
      for (let j = 0; j < inner; j++, o++) vo[o] = va[pa + j * ia] === vb[pb + j * ib] ? 1 : 0
      for (let d = last - 1; d >= 0; d--) {
        if (++index[d]! < shape[d]!) break
        index[d] = 0
      }
    }
    return out
  }

/** Element strides of `shape` as seen through broadcasting to `to` (0 on broadcast axes). */
const broadcastStrides = (shape: ReadonlyArray<number>, to: ReadonlyArray<number>): Array<number> => {
  const strides = new Array<number>(to.length).fill(0)
  let acc = 1
  for (let i = shape.length - 1, o = to.length - 1; i >= 0; i--, o--) {
    strides[o] = shape[i] === 1 ? 0 : acc
    acc *= shape[i]!
  }
  return strides
}

const gelu =
  (addon: NativeAddon): KernelFunc =>
  ({ inputs, backend }) => {
    const wasm = backend as BackendWasm
    const { x } = inputs as { x: TensorInfo }
    const out = wasm.makeOutput(x.shape, "float32")
    addon.gelu(heap(wasm, x), heap(wasm, out))
    return out
  }

const geluGrad =
  (addon: NativeAddon): KernelFunc =>
  ({ inputs, backend }) => {
    const wasm = backend as BackendWasm
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo }
    const out = wasm.makeOutput(x.shape, "float32")
    addon.geluGrad(heap(wasm, x), heap(wasm, dy), heap(wasm, out))
    return out
  }

const lastAxis = (x: TensorInfo) => {
  const cols = x.shape.at(-1) ?? 1
  return { rows: x.shape.length === 0 ? 1 : tf.util.sizeFromShape(x.shape) / cols, cols }
}

const layerNorm =
  (addon: NativeAddon): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm
    const { x, gamma, beta } = inputs as { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo }
    const { rows, cols } = lastAxis(x)
    const out = wasm.makeOutput(x.shape, "float32")
    const eps = (attrs as { eps: number }).eps
    addon.layerNorm(heap(wasm, x), heap(wasm, gamma), heap(wasm, beta), rows, cols, eps, heap(wasm, out))
    return out
  }

const layerNormGrad =
  (addon: NativeAddon): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm
    const { x, gamma, dy } = inputs as { x: TensorInfo; gamma: TensorInfo; dy: TensorInfo }
    const { rows, cols } = lastAxis(x)
    const dx = wasm.makeOutput(x.shape, "float32")
    const dgamma = wasm.makeOutput(gamma.shape, "float32")
    const dbeta = wasm.makeOutput(gamma.shape, "float32")
    const eps = (attrs as { eps: number }).eps
    addon.layerNormGrad(
      heap(wasm, x),
      heap(wasm, gamma),
      heap(wasm, dy),
      rows,
      cols,
      eps,
      heap(wasm, dx),
      heap(wasm, dgamma),
      heap(wasm, dbeta)
    )
    return [dx, dgamma, dbeta]
  }

interface DropoutAttrs {
  readonly keepProb: number
  readonly seed: string
}

const dropout =
  (addon: NativeAddon): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm
    const { x } = inputs as { x: TensorInfo }
    const { keepProb, seed } = attrs as unknown as DropoutAttrs
    const out = wasm.makeOutput(x.shape, "float32")
    const { key0, key1, threshold, scale } = dropoutStream(seed, keepProb)
    addon.counterDropout(heap(wasm, x), heap(wasm, out), key0, key1, threshold, scale)
    return out
  }

interface LabelContrastiveAttrs {
  readonly temperature: number
  readonly relatedWeight: number
}

const labelContrastive =
  (addon: NativeAddon): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm
    const { cos, labels, types } = inputs as { cos: TensorInfo; labels: TensorInfo; types: TensorInfo }
    const { temperature, relatedWeight } = attrs as unknown as LabelContrastiveAttrs
    const m = labels.shape[0] ?? 0
    if (cos.shape.join() !== `${m},${m}` || types.shape.join() !== labels.shape.join())
      throw new Error(
        `labelContrastive: expected cos [M, M], labels and types [M], got [${cos.shape}], [${labels.shape}], [${types.shape}]`
      )
    const loss = wasm.makeOutput([], "float32")
    const stats = wasm.makeOutput([m, 2], "float32")
    const probs = wasm.makeOutput([m, m], "float32")
    addon.labelContrastive(
      heap(wasm, cos),
      wasm.typedArrayFromHeap(labels) as Int32Array,
      wasm.typedArrayFromHeap(types) as Int32Array,
      temperature,
      relatedWeight,
      heap(wasm, loss),
      heap(wasm, stats),
      heap(wasm, probs)
    )
    return [loss, stats, probs]
  }

const labelContrastiveGrad =
  (addon: NativeAddon): KernelFunc =>
  ({ inputs, backend, attrs }) => {
    const wasm = backend as BackendWasm
    const { probs, labels, types, stats, dy } = inputs as Record<
      "probs" | "labels" | "types" | "stats" | "dy",
      TensorInfo
    >
    const { temperature, relatedWeight } = attrs as unknown as LabelContrastiveAttrs
    const dcos = wasm.makeOutput(probs.shape, "float32")
    addon.labelContrastiveGrad(
      heap(wasm, probs),
      wasm.typedArrayFromHeap(labels) as Int32Array,
      wasm.typedArrayFromHeap(types) as Int32Array,
      temperature,
      relatedWeight,
      heap(wasm, stats),
      heap(wasm, dy),
      heap(wasm, dcos)
    )
    return dcos
  }

/** The native kernel configs for `wasm`; `stock` looks up the kernel they replace (for fallbacks). */
export const nativeKernelConfigs = (
  addon: NativeAddon,
  stock: (name: string) => KernelFunc | undefined
): ReadonlyArray<KernelConfig> =>
  [
    { kernelName: tf.BatchMatMul, kernelFunc: batchMatMul(addon) },
    { kernelName: tf.Exp, kernelFunc: exp(addon, stock(tf.Exp)) },
    { kernelName: tf.Sum, kernelFunc: sum(addon, stock(tf.Sum)) },
    { kernelName: tf.Identity, kernelFunc: identity },
    { kernelName: tf.Cast, kernelFunc: cast(stock(tf.Cast)) },
    { kernelName: tf.Transpose, kernelFunc: transpose(addon, stock(tf.Transpose)) },
    { kernelName: tf.Tile, kernelFunc: tile(addon, stock(tf.Tile)) },
    { kernelName: tf.Add, kernelFunc: binary(addon, "Add", stock(tf.Add)) },
    { kernelName: tf.Sub, kernelFunc: binary(addon, "Sub", stock(tf.Sub)) },
    { kernelName: tf.Multiply, kernelFunc: binary(addon, "Multiply", stock(tf.Multiply)) },
    { kernelName: tf.RealDiv, kernelFunc: binary(addon, "RealDiv", stock(tf.RealDiv)) },
    { kernelName: tf.GatherV2, kernelFunc: gather(stock(tf.GatherV2)) },
    { kernelName: tf.Equal, kernelFunc: equal(addon, stock(tf.Equal)) },
    { kernelName: LINEAR, kernelFunc: linear(addon) },
    { kernelName: GELU, kernelFunc: gelu(addon) },
    { kernelName: GELU_GRAD, kernelFunc: geluGrad(addon) },
    { kernelName: LAYER_NORM, kernelFunc: layerNorm(addon) },
    { kernelName: LAYER_NORM_GRAD, kernelFunc: layerNormGrad(addon) },
    { kernelName: DROPOUT, kernelFunc: dropout(addon) },
    { kernelName: LABEL_CONTRASTIVE, kernelFunc: labelContrastive(addon) },
    { kernelName: LABEL_CONTRASTIVE_GRAD, kernelFunc: labelContrastiveGrad(addon) }
  ].map((c) => ({ ...c, backendName: "wasm" }))

let gradientsRegistered = false

/**
 * The gradients of `ConcnerDropout` and `ConcnerGelu` (registered once per process;
 * backend-independent).
 * `ConcnerLabelContrastive` differentiates through `fusedLabelContrastive`'s custom gradient.
 */
export const registerNativeGradients = (): void => {
  if (gradientsRegistered) return
  tf.registerGradient({
    // dropout is linear: its gradient is the same mask applied to dy
    kernelName: DROPOUT,
    gradFunc: (dy, _saved, attrs) => ({
      x: () => tf.engine().runKernel(DROPOUT, { x: dy as Tensor }, attrs) as Tensor
    })
  })
  tf.registerGradient({
    kernelName: GELU,
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => ({
      x: () => tf.engine().runKernel(GELU_GRAD, { x: saved[0]!, dy: dy as Tensor }) as Tensor
    })
  })
  gradientsRegistered = true
}

/**
 * `x · Wᵀ + b` (x `[N, in]`, W `[out, in]`) in one native GEMM with the bias in its epilogue, when
 * the current backend has the kernel and the inputs are float32; undefined otherwise. No gradient:
 * for inference only (`linear` in ops.ts uses it outside training).
 */
export const fusedLinear = (x: Tensor, weight: Tensor, bias: Tensor): Tensor | undefined =>
  x.dtype === "float32" &&
  weight.dtype === "float32" &&
  bias.dtype === "float32" &&
  tf.getKernel(LINEAR, tf.getBackend()) !== undefined
    ? (tf.engine().runKernel(LINEAR, { x, weight, bias }) as Tensor)
    : undefined

/** Exact GELU through the fused kernel when the current backend has it; undefined otherwise. */
export const fusedGelu = (x: Tensor): Tensor | undefined =>
  x.dtype === "float32" && tf.getKernel(GELU, tf.getBackend()) !== undefined
    ? (tf.engine().runKernel(GELU, { x }) as Tensor)
    : undefined

/**
 * `nn.LayerNorm` over the last axis in one pass forward and one backward (all three gradients)
 * when the current backend has the fused kernels; undefined otherwise.
 */
export const fusedLayerNorm = (x: Tensor, gamma: Tensor, beta: Tensor, eps: number): Tensor | undefined => {
  if (x.dtype !== "float32" || tf.getKernel(LAYER_NORM, tf.getBackend()) === undefined) return undefined
  const attrs = { eps } as unknown as NamedAttrMap
  // customGrad passes (x, gamma, beta, save) untyped: the order is the call's below
  const op = tf.customGrad((...args: Array<Tensor | ((ts: Array<Tensor>) => void)>) => {
    const [xv, g, b, save] = args as [Tensor, Tensor, Tensor, (ts: Array<Tensor>) => void]
    save([xv, g])
    return {
      value: tf.engine().runKernel(LAYER_NORM, { x: xv, gamma: g, beta: b }, attrs) as Tensor,
      gradFunc: (dy: Tensor, saved: Array<Tensor>) =>
        tf.engine().runKernel(LAYER_NORM_GRAD, { x: saved[0]!, gamma: saved[1]!, dy }, attrs) as Array<Tensor>
    }
  })
  return op(x, gamma, beta)
}

/**
 * Inverted dropout of `x` with the counter-based mask of `seed` (dropoutMask.ts) in one native
 * pass, when the current backend has the kernel: bit for bit `x · dropoutMaskValues(…)`, forward and
 * backward (the gradient is the same mask applied to dy). Undefined otherwise.
 */
export const fusedDropout = (x: Tensor, rate: number, seed: string): Tensor | undefined => {
  if (
    x.dtype !== "float32" ||
    !(rate > 0 && rate < 1) ||
    tf.getKernel(DROPOUT, tf.getBackend()) === undefined
  )
    return undefined
  const attrs = { keepProb: 1 - rate, seed } as unknown as NamedAttrMap
  return tf.engine().runKernel(DROPOUT, { x }, attrs) as Tensor
}

/** Whether `fusedLabelContrastive` can run on the current backend. */
export const hasFusedLabelContrastive = (): boolean =>
  tf.getKernel(LABEL_CONTRASTIVE, tf.getBackend()) !== undefined

/**
 * `weightedContrastive(cos / temperature, w, excluded)` (src/losses/contrastive.ts) for `cos`
 * `[M, M]` and pair weights given by int32 `labels` and `types` `[M]`: for anchor i, j = i is left
 * out; the same label makes a positive of weight 1; the same type with another label a positive
 * of weight `relatedWeight` when it is > 0, else a pair left out of the denominator; anything else
 * a negative. `types = labels` gives plain LCL; TCL is pair ids as labels. A scalar with a
 * gradient with respect to `cos`; undefined when the current backend has no fused kernel.
 */
export const fusedLabelContrastive = (
  cos: Tensor,
  labels: Tensor,
  types: Tensor,
  temperature: number,
  relatedWeight: number
): Tensor | undefined => {
  if (cos.dtype !== "float32" || !hasFusedLabelContrastive()) return undefined
  const attrs = { temperature, relatedWeight } as unknown as NamedAttrMap
  return tf.tidy(() => {
    const ints = { labels: tf.cast(labels, "int32"), types: tf.cast(types, "int32") }
    // A custom gradient, not the kernel on the tape: backprop fills every output without a
    // gradient with a JS zeros array, and the kernel's outputs include the [M, M] softmax rows.
    const op = tf.customGrad((...args: Array<Tensor | ((ts: Array<Tensor>) => void)>) => {
      const [c, save] = args as [Tensor, (ts: Array<Tensor>) => void]
      const [loss, stats, probs] = tf
        .engine()
        .runKernel(LABEL_CONTRASTIVE, { cos: c, ...ints }, attrs) as Array<Tensor>
      // the forward pass's softmax rows replace the cosines: no exp in the backward pass
      save([ints.labels, ints.types, stats!, probs!])
      return {
        value: loss!,
        gradFunc: (dy: Tensor, saved: Array<Tensor>) => {
          const [l, t, st, p] = saved as [Tensor, Tensor, Tensor, Tensor]
          return tf
            .engine()
            .runKernel(
              LABEL_CONTRASTIVE_GRAD,
              { probs: p, labels: l, types: t, stats: st, dy },
              attrs
            ) as Tensor
        }
      }
    })
    return op(cos)
  })
}
