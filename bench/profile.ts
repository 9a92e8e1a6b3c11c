/**
 * Where a step's time goes: `tf.profile` records every kernel with its wall time (the cpu and wasm
 * backends run kernels synchronously, so that is the kernel's cost); summed here per kernel name.
 * Time outside kernels (tape bookkeeping, JS in the losses and the optimizer) is the step's wall
 * time minus `totalMs`.
 */
import { tf } from "../src/runtime/tf.js"

export interface KernelTime {
  readonly name: string
  readonly ms: number
  readonly calls: number
}

export interface KernelProfile {
  readonly wallMs: number
  readonly totalMs: number
  readonly kernels: ReadonlyArray<KernelTime>
}

export const kernelProfile = async (f: () => void): Promise<KernelProfile> => {
  const start = performance.now()
  const info = await tf.profile(f)
  const wallMs = performance.now() - start
  const byName = new Map<string, { ms: number; calls: number }>()
  for (const k of info.kernels) {
    const entry = byName.get(k.name) ?? { ms: 0, calls: 0 }
    entry.ms += typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0
    entry.calls += 1
    byName.set(k.name, entry)
  }
  const kernels = [...byName.entries()]
    .map(([name, { ms, calls }]) => ({ name, ms, calls }))
    .sort((a, b) => b.ms - a.ms)
  return { wallMs, totalMs: kernels.reduce((t, k) => t + k.ms, 0), kernels }
}
