/**
 * IEEE binary16 ("half") conversions for safetensors' F16: exact widening through a lookup table, and
 * narrowing that rounds to nearest, ties to even, as torch's `.half()` and numpy's `astype(float16)` do.
 */

/** IEEE binary16 bits → f32 value (exact: every half is a float). */
const halfToFloat = (h: number): number => {
  const sign = h & 0x8000 ? -1 : 1
  const exp = (h >> 10) & 0x1f
  const frac = h & 0x3ff
  if (exp === 0) return sign * frac * 2 ** -24
  if (exp === 0x1f) return frac === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN
  return sign * (1 + frac / 1024) * 2 ** (exp - 15)
}

let halfTable: Float32Array | undefined
/** All 65536 halves as f32, built on first use (256 KiB): decoding is then one lookup per element. */
export const halfTableF32 = (): Float32Array => {
  if (halfTable === undefined) {
    halfTable = new Float32Array(65536)
    for (let h = 0; h < 65536; h++) halfTable[h] = halfToFloat(h)
  }
  return halfTable
}

/**
 * f32 bits → binary16 bits, rounding to nearest, ties to even (as torch's `.half()`): values past the
 * largest half (65504 plus half an ulp) become ±∞, tiny ones subnormal or ±0, NaN stays a (quiet) NaN.
 */
export const floatBitsToHalf = (bits: number): number => {
  const sign = (bits >>> 16) & 0x8000
  const exp = (bits >>> 23) & 0xff
  const mant = bits & 0x7fffff
  if (exp === 0xff) return sign | 0x7c00 | (mant === 0 ? 0 : 0x200 | (mant >>> 13))
  const e = exp - 112 // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00
  if (e <= 0) {
    // subnormal half: the significand (implicit 1 included) shifted right by 14 − e, rounded
    const shift = 14 - e
    if (shift > 24) return sign
    const m = mant | 0x800000
    const half = 1 << (shift - 1)
    const rest = m & ((1 << shift) - 1)
    let out = m >>> shift
    if (rest > half || (rest === half && (out & 1) === 1)) out++
    return sign | out
  }
  let out = (e << 10) | (mant >>> 13)
  const rest = mant & 0x1fff
  if (rest > 0x1000 || (rest === 0x1000 && (out & 1) === 1)) out++ // a carry into the exponent is right
  return sign | out
}

export const halfBitsToFloat = (h: number): number => halfTableF32()[h & 0xffff]!
