/**
 * Seeded sampling that gives the same sample on every machine and every Effect version.
 *
 * Algorithm (keep it fixed: results of experiments depend on it):
 * 1. The seed (an unsigned 32-bit integer, or a string hashed with 32-bit FNV-1a over its UTF-16
 *    code units) seeds mulberry32, a 32-bit PRNG using only `Math.imul`, shifts and xors, so every
 *    engine computes the same stream; output u ∈ [0, 2^32) is used as u / 2^32.
 * 2. A partial Fisher–Yates shuffle of [0, 1, …, n-1]: for i = 0 … k-1, j = i + ⌊r·(n−i)⌋ with the
 *    next output r, swap positions i and j. The first k entries, in that order, are the sample.
 * Effect's `Random` is not used because its generator is an implementation detail that may change.
 */

/** 32-bit FNV-1a over UTF-16 code units. */
export const hashSeed = (seed: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** mulberry32: returns a generator of numbers in [0, 1). */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** k distinct indices of 0..n-1 drawn without replacement, in draw order. Requires 0 ≤ k ≤ n. */
export const sampleIndices = (n: number, k: number, seed: number | string): Array<number> => {
  if (!(Number.isInteger(n) && Number.isInteger(k) && k >= 0 && k <= n)) {
    throw new RangeError(`cannot sample ${k} of ${n}`)
  }
  const next = mulberry32(typeof seed === "string" ? hashSeed(seed) : seed)
  const pool = Array.from({ length: n }, (_, i) => i)
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(next() * (n - i))
    const picked = pool[j]!
    pool[j] = pool[i]!
    pool[i] = picked
  }
  return pool.slice(0, k)
}
