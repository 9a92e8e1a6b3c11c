/**
 * The dropout mask as a counter-based stream: element i is kept or dropped by a hash of
 * (key, i) alone, h = fmix32(fmix32(i + key0) ^ key1) with murmur3's 32-bit finaliser, kept when
 * its top 24 bits fall below keepProb · 2^24. Unlike a sequential PRNG (tfjs's Alea, a dependency
 * chain from one element to the next) every element is independent, so the native kernel
 * (`counterDropout` in native/src/concner_native.c, which also applies it) vectorises it; this
 * file is the same mask in JS, used on backends without the native kernels — the same bits.
 * Hand-written: no package offers a counter-based generator shared with C.
 */

/** The keys, threshold and float32 scale of one mask, a pure function of `seed` and `keepProb`. */
export interface DropoutStream {
  readonly key0: number
  readonly key1: number
  /** Kept when the top 24 bits of the hash are below this (keepProb · 2^24, rounded). */
  readonly threshold: number
  /** The kept value, float32 `1 / keepProb` (what inverted dropout multiplies by). */
  readonly scale: number
}

/** murmur3's 32-bit finaliser (a bijection of uint32 with full avalanche). */
const fmix32 = (x: number): number => {
  let h = x >>> 0
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * Two 32-bit keys from the seed string: FNV-1a over its UTF-16 code units with two different
 * offsets and primes, each finalised (so seeds differing in one character give unrelated keys).
 */
export const dropoutStream = (seed: string, keepProb: number): DropoutStream => {
  let a = 0x811c9dc5
  let b = 0x9e3779b9
  for (let i = 0; i < seed.length; i++) {
    const c = seed.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
  }
  const fp = Math.fround(keepProb)
  return {
    key0: fmix32(a ^ seed.length),
    key1: fmix32(b),
    threshold: Math.round(Math.min(Math.max(keepProb, 0), 1) * 2 ** 24),
    scale: Math.fround(1 / fp)
  }
}

/** Whether element `i` of the stream is kept. */
const kept = (s: DropoutStream, i: number): boolean =>
  fmix32(fmix32((i + s.key0) >>> 0) ^ s.key1) >>> 8 < s.threshold

/** The inverted-dropout multiplier of `size` elements: `scale` where kept, else 0. */
export const dropoutMaskValues = (size: number, keepProb: number, seed: string): Float32Array => {
  const s = dropoutStream(seed, keepProb)
  const out = new Float32Array(size)
  for (let i = 0; i < size; i++) if (kept(s, i)) out[i] = s.scale
  return out
}
