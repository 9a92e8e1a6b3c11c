/*
 * exp and exact GELU (see activations.h). The AVX2 loops are written with intrinsics because GCC 12
 * leaves these loops' AVX2 clones scalar (measured 2× slower than its SSE2 vectorisation); they use
 * no FMA (target "avx2" only, and binding.gyp's -ffp-contract=off for the scalar code), so each lane
 * rounds exactly as the scalar code does.
 */
#include "activations.h"

#include <immintrin.h>

#include "gemm.h"

#define INV_SQRT_2PI 0.3989422804014327f

/* Abramowitz & Stegun 7.1.26: erf(z) ≈ 1 − t·(a1 + t(a2 + t(a3 + t(a4 + t·a5)))) e^{−z²}, t = 1/(1 + p·z). */
#define AS_P 0.3275911f
static const float AS_A[5] = {0.254829592f, -0.284496736f, 1.421413741f, -1.453152027f, 1.061405429f};

/*
 * Φ(v) = 0.5 (1 + erf(v / √2)) with erf from A&S 7.1.26 (|error| < 1.5e-7, below float32 resolution
 * of Φ), written so that the exponential it needs, exp(−v²/2), is the one the Gaussian density φ(v)
 * needs too: one exp per element for the gradient. glibc's erff costs ~10× more here.
 */
static inline float gauss_cdf(float v, float e) {
  const float z = fabsf(v) * (float)M_SQRT1_2;
  const float t = 1.0f / (1.0f + AS_P * z);
  const float poly = t * (AS_A[0] + t * (AS_A[1] + t * (AS_A[2] + t * (AS_A[3] + t * AS_A[4]))));
  const float erf_abs = 1.0f - poly * e;
  return 0.5f * (1.0f + (v < 0 ? -erf_abs : erf_abs));
}

static void gelu_scalar(const float* x, float* out, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; i++) {
    const float v = x[i];
    out[i] = v * gauss_cdf(v, fast_exp(-0.5f * v * v));
  }
}

static void gelu_grad_scalar(const float* x, const float* dy, float* out, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; i++) {
    const float v = x[i];
    const float e = fast_exp(-0.5f * v * v);
    out[i] = dy[i] * (gauss_cdf(v, e) + v * INV_SQRT_2PI * e);
  }
}

static void exp_scalar(const float* x, float* out, int64_t lo, int64_t hi) {
  for (int64_t i = lo; i < hi; i++) out[i] = fast_exp(x[i]);
}

#define AVX2 __attribute__((target("avx2")))
#define SET _mm256_set1_ps

/* `fast_exp` on 8 lanes, operation for operation. */
AVX2 static inline __m256 exp8(__m256 x) {
  const __m256 lo = SET(EXP_LO), hi = SET(EXP_HI);
  const __m256 below = _mm256_cmp_ps(x, lo, _CMP_LT_OQ), above = _mm256_cmp_ps(x, hi, _CMP_GT_OQ);
  const __m256 c = _mm256_blendv_ps(_mm256_blendv_ps(x, hi, above), lo, below);
  const __m256 t = _mm256_mul_ps(c, SET(LOG2E));
  const __m256 half = _mm256_or_ps(_mm256_and_ps(t, SET(-0.0f)), SET(0.5f)); /* copysignf(0.5f, t) */
  const __m256i n = _mm256_cvttps_epi32(_mm256_add_ps(t, half));          /* (int32_t) truncates */
  const __m256 fn = _mm256_cvtepi32_ps(n);
  const __m256 r = _mm256_add_ps(_mm256_sub_ps(c, _mm256_mul_ps(fn, SET(LN2_HI))), _mm256_mul_ps(fn, SET(LN2_LO)));
  __m256 p = SET(EXP_P[0]);
  for (int i = 1; i < 6; i++) p = _mm256_add_ps(_mm256_mul_ps(p, r), SET(EXP_P[i]));
  const __m256 y = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(p, r), r), r), SET(1.0f));
  const __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
  __m256 out = _mm256_mul_ps(y, scale);
  out = _mm256_blendv_ps(out, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
  out = _mm256_blendv_ps(out, SET(INFINITY), above);
  return _mm256_blendv_ps(out, _mm256_setzero_ps(), below);
}

/* `gauss_cdf` on 8 lanes. */
AVX2 static inline __m256 cdf8(__m256 v, __m256 e) {
  const __m256 sign = SET(-0.0f), one = SET(1.0f);
  const __m256 z = _mm256_mul_ps(_mm256_andnot_ps(sign, v), SET((float)M_SQRT1_2));
  const __m256 t = _mm256_div_ps(one, _mm256_add_ps(one, _mm256_mul_ps(SET(AS_P), z)));
  __m256 poly = _mm256_mul_ps(t, SET(AS_A[4]));
  for (int i = 3; i >= 0; i--) poly = _mm256_mul_ps(t, _mm256_add_ps(SET(AS_A[i]), poly));
  const __m256 erf_abs = _mm256_sub_ps(one, _mm256_mul_ps(poly, e));
  const __m256 negative = _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_LT_OQ);
  const __m256 erf = _mm256_blendv_ps(erf_abs, _mm256_xor_ps(erf_abs, sign), negative);
  return _mm256_mul_ps(SET(0.5f), _mm256_add_ps(one, erf));
}

AVX2 static inline __m256 half_square_exp8(__m256 v) {
  return exp8(_mm256_mul_ps(_mm256_mul_ps(SET(-0.5f), v), v));
}

AVX2 static void gelu_avx2(const float* x, float* out, int64_t lo, int64_t hi) {
  int64_t i = lo;
  for (; i + 8 <= hi; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    _mm256_storeu_ps(out + i, _mm256_mul_ps(v, cdf8(v, half_square_exp8(v))));
  }
  gelu_scalar(x, out, i, hi);
}

AVX2 static void gelu_grad_avx2(const float* x, const float* dy, float* out, int64_t lo, int64_t hi) {
  int64_t i = lo;
  for (; i + 8 <= hi; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    const __m256 e = half_square_exp8(v);
    const __m256 density = _mm256_mul_ps(_mm256_mul_ps(v, SET(INV_SQRT_2PI)), e);
    _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_loadu_ps(dy + i), _mm256_add_ps(cdf8(v, e), density)));
  }
  gelu_grad_scalar(x, dy, out, i, hi);
}

AVX2 static void exp_avx2(const float* x, float* out, int64_t lo, int64_t hi) {
  int64_t i = lo;
  for (; i + 8 <= hi; i += 8) _mm256_storeu_ps(out + i, exp8(_mm256_loadu_ps(x + i)));
  exp_scalar(x, out, i, hi);
}

/* The AVX2 loops run where the GEMM's instruction set is AVX2 or wider (AVX-512 CPUs have AVX2). */
static int wide(void) { return gemm_get_isa() >= GEMM_AVX2; }

void gelu_rows(const float* x, float* out, int64_t lo, int64_t hi) {
  (wide() ? gelu_avx2 : gelu_scalar)(x, out, lo, hi);
}

void gelu_grad_rows(const float* x, const float* dy, float* out, int64_t lo, int64_t hi) {
  (wide() ? gelu_grad_avx2 : gelu_grad_scalar)(x, dy, out, lo, hi);
}

void exp_rows(const float* x, float* out, int64_t lo, int64_t hi) {
  (wide() ? exp_avx2 : exp_scalar)(x, out, lo, hi);
}
