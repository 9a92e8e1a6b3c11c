/*
 * exp and exact GELU over float32 ranges: a scalar definition (the reference, and what SSE2
 * vectorises) and an AVX2 loop doing the same IEEE operations in the same order on 8 lanes, so
 * both give the same bits. The instruction set the built-in GEMM is set to (gemm_get_isa) picks
 * the loop: `portable` runs the scalar one.
 */
#ifndef CONCNER_ACTIVATIONS_H
#define CONCNER_ACTIVATIONS_H
#include <math.h>
#include <stdint.h>
#include <string.h>

#define EXP_LO -87.3f
#define EXP_HI 88.7f
#define LOG2E 1.44269504088896341f
#define LN2_HI 0.693359375f
#define LN2_LO 2.12194440e-4f

/* The exp polynomial's coefficients (Cephes expf), highest degree first. */
static const float EXP_P[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                               4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
/*
 * exp in float (Cephes expf: n = round(x / ln 2), degree-6 polynomial on the remainder, scaled by
 * 2^n through the exponent bits): relative error below 1e-7; exactly 0 below -87.3 and +inf above
 * 88.7; NaN stays NaN. Branch-free so that scalar loops using it vectorise with plain SSE2 (glibc's
 * expf is one call per element). Deterministic across machines: no FMA contraction without -march,
 * no reassociation without -ffast-math.
 */
static inline float fast_exp(float x) {
  const float c = x < EXP_LO ? EXP_LO : (x > EXP_HI ? EXP_HI : x);
  const float t = c * LOG2E;
  const int32_t n = (int32_t)(t + copysignf(0.5f, t));
  const float fn = (float)n;
  const float r = (c - fn * LN2_HI) + fn * LN2_LO;
  float p = EXP_P[0];
  for (int i = 1; i < 6; i++) p = p * r + EXP_P[i];
  const float y = p * r * r + r + 1.0f;
  const int32_t bits = (n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  const float out = y * scale;
  return x < EXP_LO ? 0.0f : (x > EXP_HI ? INFINITY : (x == x ? out : x));
}

/* out[i] = x[i] Φ(x[i]) for i in [lo, hi). */
void gelu_rows(const float* x, float* out, int64_t lo, int64_t hi);
/* out[i] = dy[i] (Φ(x[i]) + x[i] φ(x[i])) for i in [lo, hi). */
void gelu_grad_rows(const float* x, const float* dy, float* out, int64_t lo, int64_t hi);
/* out[i] = fast_exp(x[i]) for i in [lo, hi). */
void exp_rows(const float* x, float* out, int64_t lo, int64_t hi);

#endif
