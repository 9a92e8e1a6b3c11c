/*
 * concner's native kernels: float32 GEMM through OpenBLAS and a few fused elementwise loops.
 * Every function reads and writes the memory of the Float32Arrays it is given (views of the tfjs
 * wasm heap): nothing is copied and nothing is allocated. Portable flags only (no -march=native,
 * no -ffast-math): results must not depend on the CPU beyond what OpenBLAS itself chooses.
 */
#define NAPI_VERSION 8
#include <cblas.h>
#include <math.h>
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define CHECK(call)                                                     \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, NULL, "concner_native: N-API call failed"); \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

static bool typed(napi_env env, napi_value v, napi_typedarray_type want, void** data, size_t* length) {
  bool is;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is) return false;
  if (napi_get_typedarray_info(env, v, &type, length, data, NULL, NULL) != napi_ok) return false;
  return type == want;
}

static bool f32(napi_env env, napi_value v, float** data, size_t* length) {
  return typed(env, v, napi_float32_array, (void**)data, length);
}

static bool i32(napi_env env, napi_value v, int32_t** data, size_t* length) {
  return typed(env, v, napi_int32_array, (void**)data, length);
}

static int64_t integer(napi_env env, napi_value v) {
  int64_t out = -1;
  napi_get_value_int64(env, v, &out);
  return out;
}

static bool boolean(napi_env env, napi_value v) {
  bool out = false;
  napi_get_value_bool(env, v, &out);
  return out;
}

static napi_value fail(napi_env env, const char* message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

/*
 * batchMatMul(a, b, out, aOffsets, bOffsets, m, n, k, transA, transB)
 * out[i] = op(a[aOffsets[i]..]) · op(b[bOffsets[i]..]) for every batch i, row-major, where op
 * transposes when asked: a is m×k (k×m transposed), b is k×n (n×k transposed), out m×n.
 * Offsets in elements; broadcasting is an offset repeated.
 */
static napi_value batch_mat_mul(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 10) return fail(env, "batchMatMul: expected 10 arguments");
  float *a, *b, *out;
  int32_t *aOff, *bOff;
  size_t aLen, bLen, outLen, batch, bBatch;
  if (!f32(env, argv[0], &a, &aLen) || !f32(env, argv[1], &b, &bLen) || !f32(env, argv[2], &out, &outLen))
    return fail(env, "batchMatMul: a, b and out must be Float32Arrays");
  if (!i32(env, argv[3], &aOff, &batch) || !i32(env, argv[4], &bOff, &bBatch) || batch != bBatch)
    return fail(env, "batchMatMul: offsets must be Int32Arrays of one length");
  const int64_t m = integer(env, argv[5]), n = integer(env, argv[6]), k = integer(env, argv[7]);
  const bool ta = boolean(env, argv[8]), tb = boolean(env, argv[9]);
  if (m < 0 || n < 0 || k < 0) return fail(env, "batchMatMul: negative dimension");
  if ((size_t)(batch * m * n) > outLen) return fail(env, "batchMatMul: out is too small");
  for (size_t i = 0; i < batch; i++) {
    if (aOff[i] < 0 || (size_t)aOff[i] + (size_t)(m * k) > aLen || bOff[i] < 0 ||
        (size_t)bOff[i] + (size_t)(k * n) > bLen)
      return fail(env, "batchMatMul: offset out of range");
  }
  if (m == 0 || n == 0) return NULL;
  for (size_t i = 0; i < batch; i++) {
    float* c = out + i * m * n;
    if (k == 0) {
      for (int64_t j = 0; j < m * n; j++) c[j] = 0.0f;
      continue;
    }
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (blasint)m,
                (blasint)n, (blasint)k, 1.0f, a + aOff[i], ta ? (blasint)m : (blasint)k, b + bOff[i],
                tb ? (blasint)k : (blasint)n, 0.0f, c, (blasint)n);
  }
  return NULL;
}

/*
 * exp in float (Cephes expf: n = round(x / ln 2), degree-6 polynomial on the remainder, scaled by
 * 2^n through the exponent bits), branch-free so that the loops using it vectorise with plain
 * SSE2 (binding.gyp: -O3 -fno-trapping-math; glibc's expf is one call per element). Relative error
 * below 1e-7; exactly 0 below -87.3 and +inf above 88.7; NaN stays NaN. Deterministic across
 * machines: no FMA contraction without -march, no reassociation without -ffast-math.
 */
static inline float fast_exp(float x) {
  const float c = x < -87.3f ? -87.3f : (x > 88.7f ? 88.7f : x);
  const float t = c * 1.44269504088896341f;
  const int32_t n = (int32_t)(t + copysignf(0.5f, t));
  const float fn = (float)n;
  const float r = (c - fn * 0.693359375f) + fn * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.0f;
  const int32_t bits = (n + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  const float out = y * scale;
  return x < -87.3f ? 0.0f : (x > 88.7f ? INFINITY : (x == x ? out : x));
}

/*
 * Φ(v) = 0.5 (1 + erf(v / √2)) with erf from Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, below
 * float32 resolution of Φ), written so that the exponential it needs, exp(−v²/2), is the one the
 * Gaussian density φ(v) needs too: one expf per element for the gradient. glibc's erff costs
 * ~10× more here.
 */
static inline float gauss_cdf(float v, float e) {
  const float z = fabsf(v) * (float)M_SQRT1_2;
  const float t = 1.0f / (1.0f + 0.3275911f * z);
  const float poly =
      t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
  const float erf_abs = 1.0f - poly * e;
  return 0.5f * (1.0f + (v < 0 ? -erf_abs : erf_abs));
}

/* Exact GELU (HF's `gelu`): x Φ(x); gelu(x, out). */
static napi_value gelu(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *out;
  size_t n, outLen;
  if (argc != 2 || !f32(env, argv[0], &x, &n) || !f32(env, argv[1], &out, &outLen) || outLen < n)
    return fail(env, "gelu(x, out): Float32Arrays, out at least as long as x");
  for (size_t i = 0; i < n; i++) {
    const float v = x[i];
    out[i] = v * gauss_cdf(v, fast_exp(-0.5f * v * v));
  }
  return NULL;
}

/* d gelu: dx = dy (Φ(x) + x φ(x)); geluGrad(x, dy, out). */
static napi_value gelu_grad(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *dy, *out;
  size_t n, dyLen, outLen;
  if (argc != 3 || !f32(env, argv[0], &x, &n) || !f32(env, argv[1], &dy, &dyLen) ||
      !f32(env, argv[2], &out, &outLen) || dyLen < n || outLen < n)
    return fail(env, "geluGrad(x, dy, out): Float32Arrays of x's length");
  const float invSqrt2Pi = 0.3989422804014327f;
  for (size_t i = 0; i < n; i++) {
    const float v = x[i];
    const float e = fast_exp(-0.5f * v * v);
    out[i] = dy[i] * (gauss_cdf(v, e) + v * invSqrt2Pi * e);
  }
  return NULL;
}

/* exp(x, out), in float (fast_exp). */
static napi_value exp_kernel(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *out;
  size_t n, outLen;
  if (argc != 2 || !f32(env, argv[0], &x, &n) || !f32(env, argv[1], &out, &outLen) || outLen < n)
    return fail(env, "exp(x, out): Float32Arrays, out at least as long as x");
  for (size_t i = 0; i < n; i++) out[i] = fast_exp(x[i]);
  return NULL;
}

/* sumRows(x, rows, cols, out): out[j] = Σ_i x[i, j] (a sum over the leading axis), float accumulators. */
static napi_value sum_rows(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *out;
  size_t n, outLen;
  if (argc != 4 || !f32(env, argv[0], &x, &n) || !f32(env, argv[3], &out, &outLen))
    return fail(env, "sumRows(x, rows, cols, out): Float32Arrays");
  const int64_t rows = integer(env, argv[1]), cols = integer(env, argv[2]);
  if (rows < 0 || cols < 0 || (size_t)(rows * cols) > n || (size_t)cols > outLen)
    return fail(env, "sumRows: shape does not fit the arrays");
  for (int64_t j = 0; j < cols; j++) out[j] = 0.0f;
  for (int64_t i = 0; i < rows; i++) {
    const float* row = x + i * cols;
    for (int64_t j = 0; j < cols; j++) out[j] += row[j];
  }
  return NULL;
}

/*
 * layerNorm(x, gamma, beta, rows, cols, eps, out): per row y = (x − μ) / √(σ² + eps) · γ + β with the
 * biased variance (nn.LayerNorm); row statistics accumulated in double.
 */
static napi_value layer_norm(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *gamma, *beta, *out;
  size_t n, ng, nb, no;
  if (argc != 7 || !f32(env, argv[0], &x, &n) || !f32(env, argv[1], &gamma, &ng) || !f32(env, argv[2], &beta, &nb) ||
      !f32(env, argv[6], &out, &no))
    return fail(env, "layerNorm(x, gamma, beta, rows, cols, eps, out): Float32Arrays");
  const int64_t rows = integer(env, argv[3]), cols = integer(env, argv[4]);
  double eps = 0;
  napi_get_value_double(env, argv[5], &eps);
  if (rows < 0 || cols <= 0 || (size_t)(rows * cols) > n || (size_t)(rows * cols) > no || (size_t)cols > ng ||
      (size_t)cols > nb)
    return fail(env, "layerNorm: shape does not fit the arrays");
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * cols;
    float* yr = out + r * cols;
    double sum = 0, sq = 0;
    for (int64_t j = 0; j < cols; j++) sum += xr[j];
    const double mean = sum / cols;
    for (int64_t j = 0; j < cols; j++) sq += (xr[j] - mean) * (xr[j] - mean);
    const float m = (float)mean, rstd = (float)(1.0 / sqrt(sq / cols + eps));
    for (int64_t j = 0; j < cols; j++) yr[j] = (xr[j] - m) * rstd * gamma[j] + beta[j];
  }
  return NULL;
}

/*
 * layerNormGrad(x, gamma, dy, rows, cols, eps, dx, dgamma, dbeta): the gradients of layerNorm,
 * statistics recomputed from x. With x̂ = (x − μ)·r and g = dy·γ:
 * dx = r (g − mean(g) − x̂ mean(g x̂)), dγ = Σ_rows dy x̂, dβ = Σ_rows dy.
 */
static napi_value layer_norm_grad(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *gamma, *dy, *dx, *dgamma, *dbeta;
  size_t n, ng, ndy, ndx, ndg, ndb;
  if (argc != 9 || !f32(env, argv[0], &x, &n) || !f32(env, argv[1], &gamma, &ng) || !f32(env, argv[2], &dy, &ndy) ||
      !f32(env, argv[6], &dx, &ndx) || !f32(env, argv[7], &dgamma, &ndg) || !f32(env, argv[8], &dbeta, &ndb))
    return fail(env, "layerNormGrad(x, gamma, dy, rows, cols, eps, dx, dgamma, dbeta): Float32Arrays");
  const int64_t rows = integer(env, argv[3]), cols = integer(env, argv[4]);
  double eps = 0;
  napi_get_value_double(env, argv[5], &eps);
  const size_t size = (size_t)(rows * cols);
  if (rows < 0 || cols <= 0 || size > n || size > ndy || size > ndx || (size_t)cols > ng || (size_t)cols > ndg ||
      (size_t)cols > ndb)
    return fail(env, "layerNormGrad: shape does not fit the arrays");
  for (int64_t j = 0; j < cols; j++) dgamma[j] = dbeta[j] = 0.0f;
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols, *dyr = dy + r * cols;
    float* dxr = dx + r * cols;
    double sum = 0, sq = 0;
    for (int64_t j = 0; j < cols; j++) sum += xr[j];
    const double mean = sum / cols;
    for (int64_t j = 0; j < cols; j++) sq += (xr[j] - mean) * (xr[j] - mean);
    const float m = (float)mean, rstd = (float)(1.0 / sqrt(sq / cols + eps));
    double gsum = 0, gxsum = 0;
    for (int64_t j = 0; j < cols; j++) {
      const float xhat = (xr[j] - m) * rstd;
      const float g = dyr[j] * gamma[j];
      gsum += g;
      gxsum += g * xhat;
      dgamma[j] += dyr[j] * xhat;
      dbeta[j] += dyr[j];
    }
    const float gmean = (float)(gsum / cols), gxmean = (float)(gxsum / cols);
    for (int64_t j = 0; j < cols; j++) {
      const float xhat = (xr[j] - m) * rstd;
      dxr[j] = rstd * (dyr[j] * gamma[j] - gmean - xhat * gxmean);
    }
  }
  return NULL;
}

/*
 * dropoutMask(out, s0, s1, s2, c, keepProb): the multiplier tf.dropout builds, floor(u + p) / p in
 * float32, with u drawn from Alea (seedrandom's `alea`, which tfjs's randomUniform uses) started
 * from the given state: the same values as tfjs for the same seed, without its per-element JS.
 */
static napi_value dropout_mask(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float* out;
  size_t n;
  double s0, s1, s2, c, keep;
  if (argc != 6 || !f32(env, argv[0], &out, &n) || napi_get_value_double(env, argv[1], &s0) != napi_ok ||
      napi_get_value_double(env, argv[2], &s1) != napi_ok || napi_get_value_double(env, argv[3], &s2) != napi_ok ||
      napi_get_value_double(env, argv[4], &c) != napi_ok || napi_get_value_double(env, argv[5], &keep) != napi_ok)
    return fail(env, "dropoutMask(out, s0, s1, s2, c, keepProb)");
  const float p = (float)keep;
  for (size_t i = 0; i < n; i++) {
    const double t = 2091639.0 * s0 + c * 2.3283064365386963e-10; /* 2^-32 */
    s0 = s1;
    s1 = s2;
    c = (double)(int32_t)t; /* JS `t | 0`; 0 <= t < 2^31 */
    s2 = t - c;
    const float u = (float)s2;
    out[i] = floorf(u + p) / p;
  }
  return NULL;
}

/* equalOuter(a, b, out): out[i·|b| + j] = a[i] == b[j] for Int32Arrays a, b and a Uint8Array out
 * (LCL's same-label matrix: labels [M, 1] against [1, M]). */
static napi_value equal_outer(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  int32_t *a, *b;
  uint8_t* out;
  size_t na, nb, no;
  if (argc != 3 || !i32(env, argv[0], &a, &na) || !i32(env, argv[1], &b, &nb) ||
      !typed(env, argv[2], napi_uint8_array, (void**)&out, &no) || no < na * nb)
    return fail(env, "equalOuter(a: Int32Array, b: Int32Array, out: Uint8Array of |a|·|b|)");
  for (size_t i = 0; i < na; i++) {
    uint8_t* row = out + i * nb;
    const int32_t v = a[i];
    for (size_t j = 0; j < nb; j++) row[j] = (uint8_t)(b[j] == v);
  }
  return NULL;
}

/* setThreads(n): OpenBLAS's thread count; returns the count in effect. */
static napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc == 1) openblas_set_num_threads((int)integer(env, argv[0]));
  CHECK(napi_create_int32(env, openblas_get_num_threads(), &result));
  return result;
}

/* blasInfo(): OpenBLAS's build configuration (version, target core). */
static napi_value blas_info(napi_env env, napi_callback_info info) {
  napi_value result;
  (void)info;
  CHECK(napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &result));
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  const napi_property_descriptor fns[] = {
      {"batchMatMul", NULL, batch_mat_mul, NULL, NULL, NULL, napi_default, NULL},
      {"gelu", NULL, gelu, NULL, NULL, NULL, napi_default, NULL},
      {"geluGrad", NULL, gelu_grad, NULL, NULL, NULL, napi_default, NULL},
      {"exp", NULL, exp_kernel, NULL, NULL, NULL, napi_default, NULL},
      {"sumRows", NULL, sum_rows, NULL, NULL, NULL, napi_default, NULL},
      {"layerNorm", NULL, layer_norm, NULL, NULL, NULL, napi_default, NULL},
      {"layerNormGrad", NULL, layer_norm_grad, NULL, NULL, NULL, napi_default, NULL},
      {"dropoutMask", NULL, dropout_mask, NULL, NULL, NULL, napi_default, NULL},
      {"equalOuter", NULL, equal_outer, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"blasInfo", NULL, blas_info, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof(fns) / sizeof(fns[0]), fns));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
