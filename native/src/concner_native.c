/*
 * concner's native kernels: float32 GEMM (built in, gemm.c, or through OpenBLAS where the build found
 * it: CONCNER_OPENBLAS) and a few fused elementwise loops.
 * Every function reads and writes the memory of the Float32Arrays it is given (views of the tfjs
 * wasm heap): nothing is copied, and nothing is allocated beyond a few scratch rows (the contrastive
 * kernels). Portable flags only (no -march=native,
 * no -ffast-math): results must not depend on the CPU beyond what OpenBLAS itself chooses (the
 * built-in GEMM gives the same bits on every instruction set it dispatches to).
 */
#define NAPI_VERSION 8
#ifdef CONCNER_OPENBLAS
#include <cblas.h>
#endif
#include <math.h>
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activations.h"
#include "gemm.h"
#include "pool.h"

#define CHECK(call)                                                     \
  do {                                                                  \
    if ((call) != napi_ok) {                                            \
      napi_throw_error(env, NULL, "concner_native: N-API call failed"); \
      return NULL;                                                      \
    }                                                                   \
  } while (0)

/* A binding's arguments: argv[0..N), argc how many the caller passed (N at most are read). */
#define ARGS(N)       \
  size_t argc = N;    \
  napi_value argv[N]; \
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL))

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

/* The GEMM batchMatMul runs: the built-in one, or OpenBLAS where the build linked it. */
static bool use_openblas = false;

/*
 * batchMatMul(a, b, out, aOffsets, bOffsets, m, n, k, transA, transB[, bias])
 * out[i] = op(a[aOffsets[i]..]) · op(b[bOffsets[i]..]) (+ bias, a row of n added to every row) for
 * every batch i, row-major, where op transposes when asked: a is m×k (k×m transposed), b is k×n
 * (n×k transposed), out m×n. Offsets in elements; broadcasting is an offset repeated.
 */
static napi_value batch_mat_mul(napi_env env, napi_callback_info info) {
  ARGS(11);
  if (argc != 10 && argc != 11) return fail(env, "batchMatMul: expected 10 or 11 arguments");
  float *a, *b, *out, *bias = NULL;
  int32_t *aOff, *bOff;
  size_t aLen, bLen, outLen, batch, bBatch, biasLen = 0;
  if (!f32(env, argv[0], &a, &aLen) || !f32(env, argv[1], &b, &bLen) || !f32(env, argv[2], &out, &outLen))
    return fail(env, "batchMatMul: a, b and out must be Float32Arrays");
  if (!i32(env, argv[3], &aOff, &batch) || !i32(env, argv[4], &bOff, &bBatch) || batch != bBatch)
    return fail(env, "batchMatMul: offsets must be Int32Arrays of one length");
  const int64_t m = integer(env, argv[5]), n = integer(env, argv[6]), k = integer(env, argv[7]);
  const bool ta = boolean(env, argv[8]), tb = boolean(env, argv[9]);
  if (m < 0 || n < 0 || k < 0) return fail(env, "batchMatMul: negative dimension");
  if (argc == 11) {
    napi_valuetype type;
    CHECK(napi_typeof(env, argv[10], &type));
    if (type != napi_undefined && type != napi_null && (!f32(env, argv[10], &bias, &biasLen) || biasLen < (size_t)n))
      return fail(env, "batchMatMul: bias must be a Float32Array of n");
  }
  if ((size_t)(batch * m * n) > outLen) return fail(env, "batchMatMul: out is too small");
  for (size_t i = 0; i < batch; i++) {
    if (aOff[i] < 0 || (size_t)aOff[i] + (size_t)(m * k) > aLen || bOff[i] < 0 ||
        (size_t)bOff[i] + (size_t)(k * n) > bLen)
      return fail(env, "batchMatMul: offset out of range");
  }
  if (m == 0 || n == 0) return NULL;
  if (!use_openblas) {
    const gemm_args g = {ta, tb, m, n, k, (int64_t)batch, a, aOff, ta ? m : k, b, bOff, tb ? k : n, out, n, m * n, bias};
    gemm_run(&g);
    return NULL;
  }
#ifdef CONCNER_OPENBLAS
  for (size_t i = 0; i < batch; i++) {
    float* c = out + i * m * n;
    if (k == 0) {
      for (int64_t j = 0; j < m * n; j++) c[j] = 0.0f;
    } else {
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (blasint)m,
                  (blasint)n, (blasint)k, 1.0f, a + aOff[i], ta ? (blasint)m : (blasint)k, b + bOff[i],
                  tb ? (blasint)k : (blasint)n, 0.0f, c, (blasint)n);
    }
    if (bias != NULL)
      for (int64_t r = 0; r < m; r++)
        for (int64_t j = 0; j < n; j++) c[r * n + j] += bias[j];
  }
#endif
  return NULL;
}

/*
 * One elementwise kernel call's operands, for the ranges the pool cuts it into (pool_for): every
 * element is computed as in one loop, so any thread count gives the same bits.
 */
typedef struct {
  const float *x, *y;
  float* out;
  uint32_t key0, key1, threshold;
  float scale;
} ew_job;

/*
 * Elements per range below which a call is not split (a pool wake-up costs a few microseconds).
 * binary's AVX2 clone gives the same bits as the SSE2 default (one IEEE operation per element); the
 * GELU and exp loops have hand-written AVX2 ones (activations.c).
 */
#define GRAIN 32768

static void gelu_range(void* ctx, int64_t lo, int64_t hi) {
  const ew_job* j = ctx;
  gelu_rows(j->x, j->out, lo, hi);
}

static void gelu_grad_range(void* ctx, int64_t lo, int64_t hi) {
  const ew_job* j = ctx;
  gelu_grad_rows(j->x, j->y, j->out, lo, hi);
}

static void exp_range(void* ctx, int64_t lo, int64_t hi) {
  const ew_job* j = ctx;
  exp_rows(j->x, j->out, lo, hi);
}

/* Exact GELU (HF's `gelu`): x Φ(x); gelu(x, out). */
static napi_value gelu(napi_env env, napi_callback_info info) {
  ARGS(2);
  float *x, *out;
  size_t n, outLen;
  if (argc != 2 || !f32(env, argv[0], &x, &n) || !f32(env, argv[1], &out, &outLen) || outLen < n)
    return fail(env, "gelu(x, out): Float32Arrays, out at least as long as x");
  ew_job j = {.x = x, .out = out};
  pool_for(gelu_range, &j, (int64_t)n, GRAIN);
  return NULL;
}

/* d gelu: dx = dy (Φ(x) + x φ(x)); geluGrad(x, dy, out). */
static napi_value gelu_grad(napi_env env, napi_callback_info info) {
  ARGS(3);
  float *x, *dy, *out;
  size_t n, dyLen, outLen;
  if (argc != 3 || !f32(env, argv[0], &x, &n) || !f32(env, argv[1], &dy, &dyLen) ||
      !f32(env, argv[2], &out, &outLen) || dyLen < n || outLen < n)
    return fail(env, "geluGrad(x, dy, out): Float32Arrays of x's length");
  ew_job j = {.x = x, .y = dy, .out = out};
  pool_for(gelu_grad_range, &j, (int64_t)n, GRAIN);
  return NULL;
}

/* exp(x, out), in float (fast_exp). */
static napi_value exp_kernel(napi_env env, napi_callback_info info) {
  ARGS(2);
  float *x, *out;
  size_t n, outLen;
  if (argc != 2 || !f32(env, argv[0], &x, &n) || !f32(env, argv[1], &out, &outLen) || outLen < n)
    return fail(env, "exp(x, out): Float32Arrays, out at least as long as x");
  ew_job j = {.x = x, .out = out};
  pool_for(exp_range, &j, (int64_t)n, GRAIN);
  return NULL;
}

/*
 * The arguments (x, rows, cols, out) of sumRows and sumCols: x must hold rows × cols floats and
 * out one per row (perRow) or per column.
 */
static bool matrix_sum_args(napi_env env, napi_value* argv, float** x, float** out, int64_t* rows, int64_t* cols,
                            bool perRow) {
  size_t n, outLen;
  if (!f32(env, argv[0], x, &n) || !f32(env, argv[3], out, &outLen)) return false;
  *rows = integer(env, argv[1]);
  *cols = integer(env, argv[2]);
  return *rows >= 0 && *cols >= 0 && (size_t)(*rows * *cols) <= n && (size_t)(perRow ? *rows : *cols) <= outLen;
}

/* sumRows(x, rows, cols, out): out[j] = Σ_i x[i, j] (a sum over the leading axis), float accumulators. */
static napi_value sum_rows(napi_env env, napi_callback_info info) {
  ARGS(4);
  float *x, *out;
  int64_t rows, cols;
  if (argc != 4 || !matrix_sum_args(env, argv, &x, &out, &rows, &cols, false))
    return fail(env, "sumRows(x, rows, cols, out): Float32Arrays, x of rows·cols, out of cols");
  for (int64_t j = 0; j < cols; j++) out[j] = 0.0f;
  for (int64_t i = 0; i < rows; i++) {
    const float* row = x + i * cols;
    for (int64_t j = 0; j < cols; j++) out[j] += row[j];
  }
  return NULL;
}

/* One row's mean and 1 / √(σ² + eps), biased variance, accumulated in double (layerNorm and its gradient). */
static inline void row_stats(const float* xr, int64_t cols, double eps, float* m, float* rstd) {
  double sum = 0, sq = 0;
  for (int64_t j = 0; j < cols; j++) sum += xr[j];
  const double mean = sum / cols;
  for (int64_t j = 0; j < cols; j++) sq += (xr[j] - mean) * (xr[j] - mean);
  *m = (float)mean;
  *rstd = (float)(1.0 / sqrt(sq / cols + eps));
}

typedef struct {
  const float *x, *gamma, *beta;
  float* out;
  int64_t cols;
  double eps;
} layer_norm_job;

/* Rows [lo, hi) of layerNorm. */
static void layer_norm_range(void* ctx, int64_t lo, int64_t hi) {
  const layer_norm_job* p = ctx;
  const int64_t cols = p->cols;
  for (int64_t r = lo; r < hi; r++) {
    const float* xr = p->x + r * cols;
    float* yr = p->out + r * cols;
    float m, rstd;
    row_stats(xr, cols, p->eps, &m, &rstd);
    for (int64_t j = 0; j < cols; j++) yr[j] = (xr[j] - m) * rstd * p->gamma[j] + p->beta[j];
  }
}

/*
 * layerNorm(x, gamma, beta, rows, cols, eps, out): per row y = (x − μ) / √(σ² + eps) · γ + β with the
 * biased variance (nn.LayerNorm); row statistics accumulated in double.
 */
static napi_value layer_norm(napi_env env, napi_callback_info info) {
  ARGS(7);
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
  layer_norm_job job = {x, gamma, beta, out, cols, eps};
  pool_for(layer_norm_range, &job, rows, GRAIN / cols + 1);
  return NULL;
}

/*
 * layerNormGrad(x, gamma, dy, rows, cols, eps, dx, dgamma, dbeta): the gradients of layerNorm,
 * statistics recomputed from x. With x̂ = (x − μ)·r and g = dy·γ:
 * dx = r (g − mean(g) − x̂ mean(g x̂)), dγ = Σ_rows dy x̂, dβ = Σ_rows dy.
 */
static napi_value layer_norm_grad(napi_env env, napi_callback_info info) {
  ARGS(9);
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
    float m, rstd;
    row_stats(xr, cols, eps, &m, &rstd);
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

/* The murmur3 32-bit finaliser: a bijection of uint32 with full avalanche. */
static inline uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

/*
 * counterDropout(x, out, key0, key1, threshold, scale): inverted dropout, out[i] = x[i] · mask[i]
 * with the mask decided by each element's index alone, h = fmix32(fmix32(i + key0) ^ key1): kept
 * (mask = scale, float32 1 / keepProb) when the top 24 bits of h are below threshold (keepProb ·
 * 2^24), else 0. One float32 product per element, as x times the mask tensor would be; dropout is
 * linear, so the same call on dy is its gradient. No element depends on another, so the loop
 * vectorises; src/runtime/dropoutMask.ts computes the same mask in JS, bit for bit.
 */
/* Integer hashing and one product: the AVX2 clone (8 lanes, native 32-bit multiplies) gives the same bits. */
__attribute__((target_clones("avx2", "default"))) static void apply_dropout(const float* x, float* out, uint32_t lo,
                                                                             uint32_t hi, uint32_t key0, uint32_t key1,
                                                                             uint32_t threshold, float kept) {
  for (uint32_t i = lo; i < hi; i++)
    out[i] = x[i] * ((fmix32(fmix32(i + key0) ^ key1) >> 8) < threshold ? kept : 0.0f);
}

static void dropout_range(void* ctx, int64_t lo, int64_t hi) {
  const ew_job* j = ctx;
  apply_dropout(j->x, j->out, (uint32_t)lo, (uint32_t)hi, j->key0, j->key1, j->threshold, j->scale);
}

static napi_value counter_dropout(napi_env env, napi_callback_info info) {
  ARGS(6);
  float *x, *out;
  size_t n, no;
  uint32_t key0, key1, threshold;
  double scale;
  if (argc != 6 || !f32(env, argv[0], &x, &n) || !f32(env, argv[1], &out, &no) ||
      napi_get_value_uint32(env, argv[2], &key0) != napi_ok || napi_get_value_uint32(env, argv[3], &key1) != napi_ok ||
      napi_get_value_uint32(env, argv[4], &threshold) != napi_ok ||
      napi_get_value_double(env, argv[5], &scale) != napi_ok || no < n || n > UINT32_MAX)
    return fail(env, "counterDropout(x, out, key0, key1, threshold, scale): Float32Arrays, out at least as long as x");
  ew_job j = {.x = x, .out = out, .key0 = key0, .key1 = key1, .threshold = threshold, .scale = (float)scale};
  pool_for(dropout_range, &j, (int64_t)n, GRAIN);
  return NULL;
}

/* equalOuter(a, b, out): out[i·|b| + j] = a[i] == b[j] for Int32Arrays a, b and a Uint8Array out
 * (LCL's same-label matrix: labels [M, 1] against [1, M]). */
static napi_value equal_outer(napi_env env, napi_callback_info info) {
  ARGS(3);
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

/*
 * The supervised-contrastive loss of LCL and TCL (src/losses/contrastive.ts) for pair weights
 * given by labels, fused: no [M, M] weight, mask or probability matrix is ever built. Anchor i's
 * pairs j: j = i is left out; same label → positive of weight 1; same type, other label
 * ("related") → positive of weight `related` when related > 0, else left out of the denominator;
 * anything else → negative. Logits s_ij = cos_ij / τ (float, as the composite's division).
 * lse_i = log Σ_{j kept} exp(s_ij) and ws_i = Σ_j w_ij (row sums in double, in index order), and
 * L = mean over anchors with ws_i > 0 of −(Σ_j w_ij s_ij − ws_i lse_i) / ws_i.
 */
static inline void pair_row(const int32_t* labels, const int32_t* types, int64_t m, int64_t i, float related,
                            float* w, float* keep) {
  const int32_t li = labels[i], ti = types[i];
  const float relKeep = related > 0 ? 1.0f : 0.0f;
  // branch-free, so that it vectorises
  for (int64_t j = 0; j < m; j++) {
    const int same = labels[j] == li, rel = (types[j] == ti) & !same;
    w[j] = (float)same + (float)rel * related;
    keep[j] = 1.0f - (float)rel * (1.0f - relKeep);
  }
  w[i] = 0.0f;
  keep[i] = 0.0f;
}

typedef struct {
  float* matrix;
  int32_t *labels, *types;
  int64_t m;
  double tau;
  float related;
} contrastive_args;

/* Common argument parsing: (matrix [M·M], labels [M], types [M], temperature, related, ...). */
static bool contrastive_parse(napi_env env, napi_value* argv, contrastive_args* a) {
  size_t nc, nl, nt;
  if (!f32(env, argv[0], &a->matrix, &nc) || !i32(env, argv[1], &a->labels, &nl) || !i32(env, argv[2], &a->types, &nt))
    return false;
  if (nl != nt || nc != nl * nl) return false;
  double related = 0;
  if (napi_get_value_double(env, argv[3], &a->tau) != napi_ok || napi_get_value_double(env, argv[4], &related) != napi_ok)
    return false;
  a->m = (int64_t)nl;
  a->related = (float)related;
  return a->tau > 0;
}

/* Scratch rows for one call (freed by the caller). */
static float* scratch_rows(int64_t m, int count) { return (float*)malloc(sizeof(float) * (size_t)(m > 0 ? m : 1) * count); }

#define LANES 8

/*
 * labelContrastive(cos, labels, types, temperature, related, loss, stats, probs): loss[0] = L;
 * stats [M, 2] = (lse_i, ws_i) and probs [M, M] = exp(s_ij − lse_i) on kept pairs (0 elsewhere),
 * for the backward pass. Pass types = labels for no relation. Row reductions run in LANES fixed
 * partial sums (vectorised; the same order on every run and machine).
 */
static napi_value label_contrastive(napi_env env, napi_callback_info info) {
  ARGS(8);
  contrastive_args a;
  float *loss, *stats, *probs;
  size_t nloss, nstats, nprobs;
  if (argc != 8 || !contrastive_parse(env, argv, &a) || !f32(env, argv[5], &loss, &nloss) ||
      !f32(env, argv[6], &stats, &nstats) || !f32(env, argv[7], &probs, &nprobs) || nloss < 1 ||
      nstats < (size_t)(2 * a.m) || nprobs < (size_t)(a.m * a.m))
    return fail(env,
                "labelContrastive(cos [M·M], labels [M], types [M], temperature > 0, related, loss [1], stats [2M], probs [M·M])");
  const int64_t m = a.m;
  float* rows = scratch_rows(m, 3);
  if (rows == NULL) return fail(env, "labelContrastive: out of memory");
  float *s = rows, *w = rows + m, *keep = rows + 2 * m;
  const float tau = (float)a.tau;
  double total = 0;
  int64_t anchors = 0;
  for (int64_t i = 0; i < m; i++) {
    const float* ci = a.matrix + i * m;
    float* pi = probs + i * m;
    pair_row(a.labels, a.types, m, i, a.related, w, keep);
    for (int64_t j = 0; j < m; j++) s[j] = ci[j] / tau;
    // max over kept pairs (exact in any order)
    float lane[LANES];
    for (int l = 0; l < LANES; l++) lane[l] = -INFINITY;
    int64_t j = 0;
    for (; j + LANES <= m; j += LANES)
      for (int l = 0; l < LANES; l++) {
        const float v = keep[j + l] > 0 ? s[j + l] : -INFINITY;
        lane[l] = v > lane[l] ? v : lane[l];
      }
    for (; j < m; j++) {
      const float v = keep[j] > 0 ? s[j] : -INFINITY;
      lane[0] = v > lane[0] ? v : lane[0];
    }
    float mx = lane[0];
    for (int l = 1; l < LANES; l++) mx = lane[l] > mx ? lane[l] : mx;
    if (mx == -INFINITY) {  // nothing kept (M = 1): no positive either
      memset(pi, 0, sizeof(float) * (size_t)m);
      stats[2 * i] = -INFINITY;
      stats[2 * i + 1] = 0.0f;
      continue;
    }
    // left-out pairs get an argument whose exp is exactly 0 (not 0 · exp(…), which may be 0 · ∞);
    // arithmetic rather than a select, so that the loop vectorises
    for (j = 0; j < m; j++) pi[j] = fast_exp(keep[j] * (s[j] - mx) - (1.0f - keep[j]) * 100.0f);
    float se[LANES] = {0}, sw[LANES] = {0}, sws[LANES] = {0};
    for (j = 0; j + LANES <= m; j += LANES)
      for (int l = 0; l < LANES; l++) {
        se[l] += pi[j + l];
        sw[l] += w[j + l];
        sws[l] += w[j + l] * s[j + l];
      }
    for (; j < m; j++) {
      se[0] += pi[j];
      sw[0] += w[j];
      sws[0] += w[j] * s[j];
    }
    double sum = 0, ws = 0, wsum = 0;
    for (int l = 0; l < LANES; l++) {
      sum += se[l];
      ws += sw[l];
      wsum += sws[l];
    }
    const float inv = (float)(1.0 / sum);
    for (j = 0; j < m; j++) pi[j] *= inv;
    const double lse = mx + log(sum);
    stats[2 * i] = (float)lse;
    stats[2 * i + 1] = (float)ws;
    if (ws > 0) {
      total += -(wsum - ws * lse) / ws;
      anchors++;
    }
  }
  free(rows);
  loss[0] = (float)(anchors > 0 ? total / anchors : 0.0);
  return NULL;
}

/*
 * labelContrastiveGrad(probs, labels, types, temperature, related, stats, dy, dcos): the gradient
 * of labelContrastive with respect to cos, dy · (ws_i p_ij − w_ij) / (A ws_i τ) for anchors with
 * ws_i > 0 (A = their count), 0 elsewhere; probs and stats as the forward pass left them.
 */
static napi_value label_contrastive_grad(napi_env env, napi_callback_info info) {
  ARGS(8);
  contrastive_args a;
  float *stats, *dy, *dcos;
  size_t nstats, ndy, nd;
  if (argc != 8 || !contrastive_parse(env, argv, &a) || !f32(env, argv[5], &stats, &nstats) ||
      !f32(env, argv[6], &dy, &ndy) || !f32(env, argv[7], &dcos, &nd) || nstats < (size_t)(2 * a.m) || ndy < 1 ||
      nd < (size_t)(a.m * a.m))
    return fail(env, "labelContrastiveGrad(probs, labels, types, temperature, related, stats [2M], dy [1], dcos [M·M])");
  const int64_t m = a.m;
  int64_t anchors = 0;
  for (int64_t i = 0; i < m; i++) anchors += stats[2 * i + 1] > 0;
  float* rows = scratch_rows(m, 2);
  if (rows == NULL) return fail(env, "labelContrastiveGrad: out of memory");
  float *w = rows, *keep = rows + m;
  for (int64_t i = 0; i < m; i++) {
    const float* pi = a.matrix + i * m;
    float* di = dcos + i * m;
    const float ws = stats[2 * i + 1];
    if (!(ws > 0)) {
      memset(di, 0, sizeof(float) * (size_t)m);
      continue;
    }
    pair_row(a.labels, a.types, m, i, a.related, w, keep);
    const float scale = (float)((double)dy[0] / ((double)anchors * ws * a.tau));
    for (int64_t j = 0; j < m; j++) di[j] = scale * (ws * pi[j] - w[j]);
  }
  free(rows);
  return NULL;
}

/*
 * adamw(p, out, g, m, v, gradScale, beta1, beta2, decay, stepSize, bc2Sqrt, eps): src/train/adamw.ts's
 * fused update, the same float64 arithmetic in the same order (moments rounded to float32), so
 * the results are bit-identical to the JS loop; p and out may be the same array.
 */
/*
 * The update loop. IEEE double operations only (no FMA: -ffp-contract=off, and the avx2 target
 * does not enable it), so the AVX2 clone (4 lanes) gives the same bits as the SSE2 default.
 */
__attribute__((target_clones("avx2", "default"))) static void adamw_loop(const float* p, float* out, const float* g,
                                                                         float* mm, float* vv, int64_t lo, int64_t hi,
                                                                         const double* k) {
  const double gradScale = k[0], beta1 = k[1], beta2 = k[2], decay = k[3], stepSize = k[4], bc2Sqrt = k[5], eps = k[6];
  const double ob1 = 1 - beta1, ob2 = 1 - beta2;
  for (int64_t i = lo; i < hi; i++) {
    const double gi = (double)g[i] * gradScale;
    const float mi = (float)(beta1 * mm[i] + ob1 * gi);
    const float vi = (float)(beta2 * vv[i] + ob2 * gi * gi);
    mm[i] = mi;
    vv[i] = vi;
    out[i] = (float)((double)p[i] * decay - (stepSize * mi) / (sqrt((double)vi) / bc2Sqrt + eps));
  }
}

typedef struct {
  const float *p, *g;
  float *out, *mm, *vv;
  const double* k;
} adamw_job;

static void adamw_range(void* ctx, int64_t lo, int64_t hi) {
  const adamw_job* j = ctx;
  adamw_loop(j->p, j->out, j->g, j->mm, j->vv, lo, hi, j->k);
}

static napi_value adamw(napi_env env, napi_callback_info info) {
  ARGS(12);
  float *p, *out, *g, *mm, *vv;
  size_t np, no, ng, nm, nv;
  double k[7];
  bool ok = argc == 12 && f32(env, argv[0], &p, &np) && f32(env, argv[1], &out, &no) && f32(env, argv[2], &g, &ng) &&
            f32(env, argv[3], &mm, &nm) && f32(env, argv[4], &vv, &nv);
  for (int i = 0; ok && i < 7; i++) ok = napi_get_value_double(env, argv[5 + i], &k[i]) == napi_ok;
  if (!ok || np != no || ng != no || nm != no || nv != no)
    return fail(env, "adamw(p, out, g, m, v, gradScale, beta1, beta2, decay, stepSize, bc2Sqrt, eps): Float32Arrays of one length");
  adamw_job job = {p, g, out, mm, vv, k};
  pool_for(adamw_range, &job, (int64_t)no, GRAIN);
  return NULL;
}

/* sumSquares(x, acc): acc + Σ x_i² in float64, in index order (NaN/±Inf propagate). */
static napi_value sum_squares(napi_env env, napi_callback_info info) {
  ARGS(2);
  napi_value result;
  float* x;
  size_t n;
  double acc = 0;
  if (argc != 2 || !f32(env, argv[0], &x, &n) || napi_get_value_double(env, argv[1], &acc) != napi_ok)
    return fail(env, "sumSquares(x: Float32Array, acc: number)");
  for (size_t i = 0; i < n; i++) acc += (double)x[i] * x[i];
  CHECK(napi_create_double(env, acc, &result));
  return result;
}

/*
 * binary(op, a, b, out, mode, cols): float32 elementwise a op b (op 0 add, 1 sub, 2 mul, 3 div)
 * for the broadcasts a step uses: mode 0 same shape; 1 b a row repeated over a's rows of `cols`
 * (bias adds); 2 a such a row; 3 b a scalar; 4 a a scalar. One IEEE operation per element, as
 * the stock kernels: the same values.
 */
#define BINARY_LOOPS(OP)                                                                    \
  switch (j->mode) {                                                                        \
    case 0:                                                                                 \
      for (int64_t i = lo; i < hi; i++) out[i] = a[i] OP b[i];                              \
      break;                                                                                \
    case 1:                                                                                 \
      for (int64_t r = lo; r < hi; r++)                                                     \
        for (int64_t c = 0; c < cols; c++) out[r * cols + c] = a[r * cols + c] OP b[c];     \
      break;                                                                                \
    case 2:                                                                                 \
      for (int64_t r = lo; r < hi; r++)                                                     \
        for (int64_t c = 0; c < cols; c++) out[r * cols + c] = a[c] OP b[r * cols + c];    \
      break;                                                                                \
    case 3: {                                                                               \
      const float bs = b[0];                                                                \
      for (int64_t i = lo; i < hi; i++) out[i] = a[i] OP bs;                                \
      break;                                                                                \
    }                                                                                       \
    default: {                                                                              \
      const float as = a[0];                                                                \
      for (int64_t i = lo; i < hi; i++) out[i] = as OP b[i];                                \
    }                                                                                       \
  }

typedef struct {
  const float *a, *b;
  float* out;
  int64_t op, mode, cols;
} binary_job;

/* Elements [lo, hi) of binary, or rows of `cols` in the row modes (1, 2). */
__attribute__((target_clones("avx2", "default"))) static void binary_range(void* ctx, int64_t lo, int64_t hi) {
  const binary_job* j = ctx;
  const float *a = j->a, *b = j->b;
  float* out = j->out;
  const int64_t cols = j->cols;
  switch (j->op) {
    case 0:
      BINARY_LOOPS(+)
      break;
    case 1:
      BINARY_LOOPS(-)
      break;
    case 2:
      BINARY_LOOPS(*)
      break;
    default:
      BINARY_LOOPS(/)
  }
}

static napi_value binary(napi_env env, napi_callback_info info) {
  ARGS(6);
  float *a, *b, *out;
  size_t na, nb, n;
  if (argc != 6 || !f32(env, argv[1], &a, &na) || !f32(env, argv[2], &b, &nb) || !f32(env, argv[3], &out, &n))
    return fail(env, "binary(op, a, b, out, mode, cols): Float32Arrays");
  const int64_t op = integer(env, argv[0]), mode = integer(env, argv[4]);
  const size_t cols = (size_t)integer(env, argv[5]);
  const bool fits = mode == 0   ? na == n && nb == n
                    : mode == 1 ? cols > 0 && n % cols == 0 && na == n && nb == cols
                    : mode == 2 ? cols > 0 && n % cols == 0 && nb == n && na == cols
                    : mode == 3 ? na == n && nb == 1
                    : mode == 4 ? nb == n && na == 1
                                : false;
  if (!fits || op < 0 || op > 3) return fail(env, "binary: operands do not fit the mode");
  binary_job job = {a, b, out, op, mode, (int64_t)cols};
  const bool rows = mode == 1 || mode == 2;
  pool_for(binary_range, &job, rows ? (int64_t)(n / cols) : (int64_t)n, rows ? GRAIN / (int64_t)cols + 1 : GRAIN);
  return NULL;
}

/*
 * binaryStrided(op, a, b, out, shape, aStrides, bStrides): a op b for any other broadcast (the
 * attention mask [B, 1, 1, T] over the scores [B, nh, T, T]): element strides of a and b along
 * each out axis (0 where broadcast), rank 1–8; the last axis is the inner loop.
 */
#define STRIDED_INNER(OP)                                                                      \
  if (ia == 1 && ib == 1)                                                                      \
    for (size_t j = 0; j < inner; j++) o[j] = pa[j] OP pb[j];                                  \
  else if (ia == 1 && ib == 0)                                                                 \
    for (size_t j = 0; j < inner; j++) o[j] = pa[j] OP pb[0];                                  \
  else if (ia == 0 && ib == 1)                                                                 \
    for (size_t j = 0; j < inner; j++) o[j] = pa[0] OP pb[j];                                  \
  else                                                                                         \
    for (size_t j = 0; j < inner; j++) o[j] = pa[j * ia] OP pb[j * ib];

static napi_value binary_strided(napi_env env, napi_callback_info info) {
  ARGS(7);
  float *a, *b, *out;
  int32_t *shape, *sa, *sb;
  size_t na, nb, n, rank, ra, rb;
  if (argc != 7 || !f32(env, argv[1], &a, &na) || !f32(env, argv[2], &b, &nb) || !f32(env, argv[3], &out, &n) ||
      !i32(env, argv[4], &shape, &rank) || !i32(env, argv[5], &sa, &ra) || !i32(env, argv[6], &sb, &rb) ||
      ra != rank || rb != rank || rank == 0 || rank > 8)
    return fail(env, "binaryStrided(op, a, b, out, shape, aStrides, bStrides): rank 1–8");
  const int64_t op = integer(env, argv[0]);
  size_t size = 1, lastA = 0, lastB = 0;
  for (size_t d = 0; d < rank; d++) {
    if (shape[d] <= 0 || sa[d] < 0 || sb[d] < 0) return fail(env, "binaryStrided: bad shape or strides");
    size *= (size_t)shape[d];
    lastA += (size_t)sa[d] * (size_t)(shape[d] - 1);
    lastB += (size_t)sb[d] * (size_t)(shape[d] - 1);
  }
  if (op < 0 || op > 3 || size > n || lastA >= na || lastB >= nb) return fail(env, "binaryStrided: operands do not fit");
  const size_t last = rank - 1, inner = (size_t)shape[last], ia = (size_t)sa[last], ib = (size_t)sb[last];
  size_t index[8] = {0}, offA = 0, offB = 0;
  for (size_t row = 0; row < size; row += inner) {
    const float *pa = a + offA, *pb = b + offB;
    float* o = out + row;
    switch (op) {
      case 0:
        STRIDED_INNER(+)
        break;
      case 1:
        STRIDED_INNER(-)
        break;
      case 2:
        STRIDED_INNER(*)
        break;
      default:
        STRIDED_INNER(/)
    }
    for (size_t d = last; d-- > 0;) {
      offA += (size_t)sa[d];
      offB += (size_t)sb[d];
      if (++index[d] < (size_t)shape[d]) break;
      offA -= (size_t)sa[d] * (size_t)shape[d];
      offB -= (size_t)sb[d] * (size_t)shape[d];
      index[d] = 0;
    }
  }
  return NULL;
}

/* sumCols(x, rows, cols, out): out[i] = Σ_j x[i, j] (a sum over trailing axes), in double, in order. */
static napi_value sum_cols(napi_env env, napi_callback_info info) {
  ARGS(4);
  float *x, *out;
  int64_t rows, cols;
  if (argc != 4 || !matrix_sum_args(env, argv, &x, &out, &rows, &cols, true))
    return fail(env, "sumCols(x, rows, cols, out): Float32Arrays, x of rows·cols, out of rows");
  for (int64_t i = 0; i < rows; i++) {
    const float* row = x + i * cols;
    double acc = 0;
    for (int64_t j = 0; j < cols; j++) acc += row[j];
    out[i] = (float)acc;
  }
  return NULL;
}

/*
 * stridedCopy(x, out, shape, strides): out, contiguous of `shape`, reads x at Σ index[d] · strides[d]
 * (stride 0 repeats an element: a broadcast or a Tile), any 4-byte element type, rank 1–16. The
 * innermost axis is a memcpy at stride 1 and a fill at stride 0.
 */
#define MAX_COPY_RANK 16
static napi_value strided_copy(napi_env env, napi_callback_info info) {
  ARGS(4);
  void *xv, *ov;
  int32_t *shape, *strides;
  size_t n, no, rank, srank;
  napi_typedarray_type tx, to;
  bool isx, iso;
  if (argc != 4 || napi_is_typedarray(env, argv[0], &isx) != napi_ok || !isx ||
      napi_is_typedarray(env, argv[1], &iso) != napi_ok || !iso ||
      napi_get_typedarray_info(env, argv[0], &tx, &n, &xv, NULL, NULL) != napi_ok ||
      napi_get_typedarray_info(env, argv[1], &to, &no, &ov, NULL, NULL) != napi_ok || !i32(env, argv[2], &shape, &rank) ||
      !i32(env, argv[3], &strides, &srank))
    return fail(env, "stridedCopy(x, out, shape: Int32Array, strides: Int32Array)");
  const bool four = (tx == napi_float32_array || tx == napi_int32_array || tx == napi_uint32_array) && tx == to;
  if (!four || rank != srank || rank == 0 || rank > MAX_COPY_RANK)
    return fail(env, "stridedCopy: 4-byte arrays of one type, rank 1–16");
  size_t size = 1, lastX = 0;
  for (size_t d = 0; d < rank; d++) {
    if (shape[d] <= 0 || strides[d] < 0) return fail(env, "stridedCopy: bad shape or strides");
    size *= (size_t)shape[d];
    lastX += (size_t)strides[d] * (size_t)(shape[d] - 1);
  }
  if (size > no || lastX >= n) return fail(env, "stridedCopy: operands do not fit");
  const uint32_t* x = (const uint32_t*)xv;
  uint32_t* out = (uint32_t*)ov;
  const size_t last = rank - 1, inner = (size_t)shape[last], innerStride = (size_t)strides[last];
  size_t index[MAX_COPY_RANK] = {0};
  size_t src = 0;
  for (size_t o = 0; o < size; o += inner) {
    if (innerStride == 1)
      memcpy(out + o, x + src, inner * sizeof *out);
    else if (innerStride == 0)
      for (size_t j = 0; j < inner; j++) out[o + j] = x[src];
    else
      for (size_t j = 0; j < inner; j++) out[o + j] = x[src + j * innerStride];
    for (size_t d = last; d-- > 0;) {
      src += (size_t)strides[d];
      if (++index[d] < (size_t)shape[d]) break;
      src -= (size_t)strides[d] * (size_t)shape[d];
      index[d] = 0;
    }
  }
  return NULL;
}

/*
 * segmentSum(x, ids, numSegments, inner, out): out[s, :] = Σ_{i : ids[i] = s} x[i, :] (the
 * embedding gradient), out zeroed first; ids outside [0, numSegments) contribute nothing.
 */
static napi_value segment_sum(napi_env env, napi_callback_info info) {
  ARGS(5);
  float *x, *out;
  int32_t* ids;
  size_t nx, nids, no;
  if (argc != 5 || !f32(env, argv[0], &x, &nx) || !i32(env, argv[1], &ids, &nids) || !f32(env, argv[4], &out, &no))
    return fail(env, "segmentSum(x, ids, numSegments, inner, out)");
  const int64_t segments = integer(env, argv[2]), inner = integer(env, argv[3]);
  if (segments < 0 || inner < 0 || nids * (size_t)inner > nx || (size_t)(segments * inner) > no)
    return fail(env, "segmentSum: shape does not fit the arrays");
  memset(out, 0, sizeof(float) * (size_t)(segments * inner));
  for (size_t i = 0; i < nids; i++) {
    const int32_t s = ids[i];
    if (s < 0 || s >= segments) continue;
    float* dst = out + (size_t)s * inner;
    const float* src = x + i * inner;
    for (int64_t j = 0; j < inner; j++) dst[j] += src[j];
  }
  return NULL;
}

/*
 * setThreads(n): the threads of the native kernels (the built-in GEMM's pool and OpenBLAS's own);
 * returns the count in effect.
 */
static napi_value set_threads(napi_env env, napi_callback_info info) {
  ARGS(1);
  napi_value result;
  if (argc == 1) {
    const int n = pool_set_threads((int)integer(env, argv[0]));
#ifdef CONCNER_OPENBLAS
    openblas_set_num_threads(n);
#else
    (void)n;
#endif
  }
  CHECK(napi_create_int32(env, pool_threads(), &result));
  return result;
}

/* A string argument into buf (false when it is not a string). */
static bool text(napi_env env, napi_value v, char* buf, size_t size) {
  size_t len;
  return napi_get_value_string_utf8(env, v, buf, size, &len) == napi_ok;
}

/*
 * setGemm([name[, isa]]): selects batchMatMul's GEMM, "builtin" or "openblas" (throws when the build
 * has no OpenBLAS), and the built-in one's instruction set ("avx512", "avx2", "portable"; throws when
 * this CPU lacks it). Returns the selection, e.g. "builtin avx512" or "openblas".
 */
static napi_value set_gemm(napi_env env, napi_callback_info info) {
  ARGS(2);
  char name[16] = "", isa[16] = "";
  if (argc >= 1 && !text(env, argv[0], name, sizeof name)) return fail(env, "setGemm(name, isa): strings");
  if (argc >= 2 && !text(env, argv[1], isa, sizeof isa)) return fail(env, "setGemm(name, isa): strings");
  if (argc >= 2) {
    int found = -1;
    for (int i = GEMM_PORTABLE; i <= GEMM_AVX512; i++)
      if (strcmp(isa, gemm_isa_name((gemm_isa)i)) == 0) found = i;
    if (found < 0) return fail(env, "setGemm: the instruction set must be avx512, avx2 or portable");
    if (!gemm_set_isa((gemm_isa)found)) return fail(env, "setGemm: this CPU lacks that instruction set");
  }
  if (argc >= 1) {
    if (strcmp(name, "builtin") == 0)
      use_openblas = false;
    else if (strcmp(name, "openblas") == 0) {
#ifdef CONCNER_OPENBLAS
      use_openblas = true;
#else
      return fail(env, "setGemm: this build has no OpenBLAS");
#endif
    } else
      return fail(env, "setGemm: the GEMM must be builtin or openblas");
  }
  char out[64];
  if (use_openblas)
    snprintf(out, sizeof out, "openblas");
  else
    snprintf(out, sizeof out, "builtin %s", gemm_isa_name(gemm_get_isa()));
  napi_value result;
  CHECK(napi_create_string_utf8(env, out, NAPI_AUTO_LENGTH, &result));
  return result;
}

/* gemmIsas(): the built-in GEMM's instruction sets this CPU supports, widest first. */
static napi_value gemm_isas(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  uint32_t count = 0;
  CHECK(napi_create_array(env, &result));
  for (int i = GEMM_AVX512; i >= GEMM_PORTABLE; i--) {
    if (!gemm_isa_supported((gemm_isa)i)) continue;
    napi_value name;
    CHECK(napi_create_string_utf8(env, gemm_isa_name((gemm_isa)i), NAPI_AUTO_LENGTH, &name));
    CHECK(napi_set_element(env, result, count++, name));
  }
  return result;
}

/* blasInfo(): OpenBLAS's build configuration (version, target core); "" when the build has none. */
static napi_value blas_info(napi_env env, napi_callback_info info) {
  napi_value result;
  (void)info;
#ifdef CONCNER_OPENBLAS
  CHECK(napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &result));
#else
  CHECK(napi_create_string_utf8(env, "", NAPI_AUTO_LENGTH, &result));
#endif
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
      {"counterDropout", NULL, counter_dropout, NULL, NULL, NULL, napi_default, NULL},
      {"equalOuter", NULL, equal_outer, NULL, NULL, NULL, napi_default, NULL},
      {"labelContrastive", NULL, label_contrastive, NULL, NULL, NULL, napi_default, NULL},
      {"labelContrastiveGrad", NULL, label_contrastive_grad, NULL, NULL, NULL, napi_default, NULL},
      {"adamw", NULL, adamw, NULL, NULL, NULL, napi_default, NULL},
      {"sumSquares", NULL, sum_squares, NULL, NULL, NULL, napi_default, NULL},
      {"binary", NULL, binary, NULL, NULL, NULL, napi_default, NULL},
      {"binaryStrided", NULL, binary_strided, NULL, NULL, NULL, napi_default, NULL},
      {"sumCols", NULL, sum_cols, NULL, NULL, NULL, napi_default, NULL},
      {"stridedCopy", NULL, strided_copy, NULL, NULL, NULL, napi_default, NULL},
      {"segmentSum", NULL, segment_sum, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"setGemm", NULL, set_gemm, NULL, NULL, NULL, napi_default, NULL},
      {"gemmIsas", NULL, gemm_isas, NULL, NULL, NULL, napi_default, NULL},
      {"blasInfo", NULL, blas_info, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof(fns) / sizeof(fns[0]), fns));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
