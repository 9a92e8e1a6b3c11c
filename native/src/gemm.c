/*
 * The built-in GEMM (gemm.h), hand-written because concner must be fast on a machine with nothing but
 * a C compiler (no system BLAS, no download). Goto/BLIS structure: op(B) is packed into panels NR
 * columns wide and op(A) into panels MR rows tall (zero-padded at the edges), blocked KC deep so a
 * B panel stays in L1 and an A block in L2; an MR × NR register tile accumulates one fused
 * multiply-add per element and step of p.
 *
 * Micro-kernels: AVX-512 (8 × 32), AVX2+FMA (6 × 16) and portable C (4 × 8, fmaf), compiled through
 * target attributes and picked at run time with __builtin_cpu_supports, so the build needs no
 * -march flag. Each element's value is the chain fma(a_p, b_p, ·) over p in order starting from 0,
 * continued across KC blocks through C itself (a float store and load are exact): all three give
 * the same bits, for any blocking and any thread count.
 */
#include "gemm.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pool.h"

#if defined(__x86_64__) || defined(__i386__)
#define GEMM_X86 1
#include <immintrin.h>
#endif

#define KC 256
#define MC 96 /* a multiple of every MR */
#define NC 2048
#define MAX_MR 8
#define MAX_NR 32

/* dst (row stride ldc) ← the MR × NR tile accumulated over kc steps; from 0 when first, else from dst. */
typedef void (*micro_kernel)(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool first);

static void kernel_portable(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool first) {
  float acc[4][8];
  for (int r = 0; r < 4; r++)
    for (int j = 0; j < 8; j++) acc[r][j] = first ? 0.0f : c[r * ldc + j];
  for (int64_t p = 0; p < kc; p++, a += 4, b += 8)
    for (int r = 0; r < 4; r++)
      for (int j = 0; j < 8; j++) acc[r][j] = fmaf(a[r], b[j], acc[r][j]);
  for (int r = 0; r < 4; r++)
    for (int j = 0; j < 8; j++) c[r * ldc + j] = acc[r][j];
}

#ifdef GEMM_X86
/*
 * An MR × (2 vectors) tile for one vector width: per step of p, two vectors of B, one broadcast of
 * each A element and two FMAs into each row's accumulators (which stay in registers).
 */
#define MICRO_KERNEL(NAME, TARGET, VEC, LANES, MR, ZERO, LOAD, SET1, FMADD, STORE)                             \
  __attribute__((target(TARGET))) static void NAME(int64_t kc, const float* a, const float* b, float* c,       \
                                                   int64_t ldc, bool first) {                                  \
    VEC acc[MR][2];                                                                                            \
    for (int r = 0; r < MR; r++)                                                                               \
      for (int h = 0; h < 2; h++) acc[r][h] = first ? ZERO() : LOAD(c + r * ldc + LANES * h);                  \
    for (int64_t p = 0; p < kc; p++, a += MR, b += 2 * LANES) {                                                \
      const VEC b0 = LOAD(b), b1 = LOAD(b + LANES);                                                            \
      for (int r = 0; r < MR; r++) {                                                                           \
        const VEC ar = SET1(a[r]);                                                                             \
        acc[r][0] = FMADD(ar, b0, acc[r][0]);                                                                  \
        acc[r][1] = FMADD(ar, b1, acc[r][1]);                                                                  \
      }                                                                                                        \
    }                                                                                                          \
    for (int r = 0; r < MR; r++)                                                                               \
      for (int h = 0; h < 2; h++) STORE(c + r * ldc + LANES * h, acc[r][h]);                                   \
  }

MICRO_KERNEL(kernel_avx2, "avx2,fma", __m256, 8, 6, _mm256_setzero_ps, _mm256_loadu_ps, _mm256_set1_ps,
             _mm256_fmadd_ps, _mm256_storeu_ps)
MICRO_KERNEL(kernel_avx512, "avx512f", __m512, 16, 8, _mm512_setzero_ps, _mm512_loadu_ps, _mm512_set1_ps,
             _mm512_fmadd_ps, _mm512_storeu_ps)
#endif

typedef struct {
  const char* name;
  int mr, nr;
  micro_kernel kernel;
} isa_desc;

static const isa_desc isas[] = {
    {"portable", 4, 8, kernel_portable},
#ifdef GEMM_X86
    {"avx2", 6, 16, kernel_avx2},
    {"avx512", 8, 32, kernel_avx512},
#else
    {"avx2", 0, 0, NULL},
    {"avx512", 0, 0, NULL},
#endif
};

bool gemm_isa_supported(gemm_isa isa) {
  switch (isa) {
    case GEMM_PORTABLE:
      return true;
#ifdef GEMM_X86
    case GEMM_AVX2:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case GEMM_AVX512:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx512f");
#endif
    default:
      return false;
  }
}

gemm_isa gemm_best_isa(void) {
  return gemm_isa_supported(GEMM_AVX512) ? GEMM_AVX512 : gemm_isa_supported(GEMM_AVX2) ? GEMM_AVX2 : GEMM_PORTABLE;
}

const char* gemm_isa_name(gemm_isa isa) { return isas[isa].name; }

static int current = -1;

bool gemm_set_isa(gemm_isa isa) {
  if (!gemm_isa_supported(isa)) return false;
  current = isa;
  return true;
}

gemm_isa gemm_get_isa(void) {
  if (current < 0) current = gemm_best_isa();
  return (gemm_isa)current;
}

/* Per-thread packing buffers, freed when the thread ends. */
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static void make_key(void) { pthread_key_create(&scratch_key, free); }

static float* scratch(void) {
  pthread_once(&scratch_once, make_key);
  float* s = pthread_getspecific(scratch_key);
  if (s == NULL) {
    if (posix_memalign((void**)&s, 64, sizeof(float) * (size_t)(MC * KC + KC * NC)) != 0) return NULL;
    pthread_setspecific(scratch_key, s);
  }
  return s;
}

/* op(A)[i0.., p0..] (mc × kc) into panels of mr rows: panel q holds rows q·mr.. as kc columns of mr. */
static void pack_a(const gemm_args* g, const float* a, int64_t i0, int64_t p0, int64_t mc, int64_t kc, int mr,
                   float* dst) {
  for (int64_t iq = 0; iq < mc; iq += mr) {
    const int rows = (int)(mc - iq < mr ? mc - iq : mr);
    for (int64_t p = 0; p < kc; p++, dst += mr) {
      int r = 0;
      if (g->ta) {
        const float* src = a + (p0 + p) * g->lda + i0 + iq;
        for (; r < rows; r++) dst[r] = src[r];
      } else {
        const float* src = a + (i0 + iq) * g->lda + p0 + p;
        for (; r < rows; r++) dst[r] = src[r * g->lda];
      }
      for (; r < mr; r++) dst[r] = 0.0f;
    }
  }
}

/* op(B)[p0.., j0..] (kc × nc) into panels of nr columns: panel q holds columns q·nr.. as kc rows of nr. */
static void pack_b(const gemm_args* g, const float* b, int64_t p0, int64_t j0, int64_t kc, int64_t nc, int nr,
                   float* dst) {
  for (int64_t jq = 0; jq < nc; jq += nr, dst += kc * nr) {
    const int cols = (int)(nc - jq < nr ? nc - jq : nr);
    if (g->tb) {
      for (int j = 0; j < cols; j++) {
        const float* src = b + (j0 + jq + j) * g->ldb + p0;
        for (int64_t p = 0; p < kc; p++) dst[p * nr + j] = src[p];
      }
      for (int64_t p = 0; p < kc; p++)
        for (int j = cols; j < nr; j++) dst[p * nr + j] = 0.0f;
    } else {
      for (int64_t p = 0; p < kc; p++) {
        const float* src = b + (p0 + p) * g->ldb + j0 + jq;
        int j = 0;
        for (; j < cols; j++) dst[p * nr + j] = src[j];
        for (; j < nr; j++) dst[p * nr + j] = 0.0f;
      }
    }
  }
}

/* One register tile; a partial one (at C's edges) goes through a full-size scratch tile. */
static void tile(const isa_desc* d, int64_t kc, const float* a, const float* b, float* c, int64_t ldc, bool first,
                 int rows, int cols) {
  if (rows == d->mr && cols == d->nr) {
    d->kernel(kc, a, b, c, ldc, first);
    return;
  }
  float t[MAX_MR * MAX_NR] = {0};
  if (!first)
    for (int r = 0; r < rows; r++) memcpy(t + r * d->nr, c + r * ldc, sizeof(float) * (size_t)cols);
  d->kernel(kc, a, b, t, d->nr, first);
  for (int r = 0; r < rows; r++) memcpy(c + r * ldc, t + r * d->nr, sizeof(float) * (size_t)cols);
}

/* Rows [i0, i1) × columns [j0, j1) of product `item`. */
static void region(const gemm_args* g, int64_t item, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  const isa_desc* d = &isas[gemm_get_isa()];
  const float* a = g->a + (g->a_off ? g->a_off[item] : 0);
  const float* b = g->b + (g->b_off ? g->b_off[item] : 0);
  float* c = g->c + item * g->c_stride;
  if (g->k == 0)
    for (int64_t i = i0; i < i1; i++)
      for (int64_t j = j0; j < j1; j++) c[i * g->ldc + j] = 0.0f;
  float* abuf = g->k == 0 ? NULL : scratch();
  float* bbuf = abuf + MC * KC;
  for (int64_t jc = j0; abuf != NULL && jc < j1; jc += NC) {
    const int64_t nc = j1 - jc < NC ? j1 - jc : NC;
    for (int64_t pc = 0; pc < g->k; pc += KC) {
      const int64_t kc = g->k - pc < KC ? g->k - pc : KC;
      pack_b(g, b, pc, jc, kc, nc, d->nr, bbuf);
      for (int64_t ic = i0; ic < i1; ic += MC) {
        const int64_t mc = i1 - ic < MC ? i1 - ic : MC;
        pack_a(g, a, ic, pc, mc, kc, d->mr, abuf);
        for (int64_t jr = 0; jr < nc; jr += d->nr)
          for (int64_t ir = 0; ir < mc; ir += d->mr)
            tile(d, kc, abuf + ir * kc, bbuf + jr * kc, c + (ic + ir) * g->ldc + jc + jr, g->ldc, pc == 0,
                 (int)(mc - ir < d->mr ? mc - ir : d->mr), (int)(nc - jr < d->nr ? nc - jr : d->nr));
      }
    }
  }
  if (g->bias != NULL)
    for (int64_t i = i0; i < i1; i++)
      for (int64_t j = j0; j < j1; j++) c[i * g->ldc + j] += g->bias[j];
}

/* How the products are cut into tasks: whole items, or each item into `parts` row or column strips. */
typedef struct {
  const gemm_args* g;
  int64_t parts;
  bool by_rows;
  int64_t step;
} plan;

static void run_task(void* ctx, int64_t task) {
  const plan* p = ctx;
  const gemm_args* g = p->g;
  const int64_t item = task / p->parts, part = task % p->parts;
  const int64_t extent = p->by_rows ? g->m : g->n;
  const int64_t lo = part * p->step, hi = lo + p->step < extent ? lo + p->step : extent;
  if (lo >= hi) return;
  if (p->by_rows)
    region(g, item, lo, hi, 0, g->n);
  else
    region(g, item, 0, g->m, lo, hi);
}

void gemm_run(const gemm_args* g) {
  if (g->m == 0 || g->n == 0 || g->batch == 0) return;
  const int threads = pool_threads();
  const double flops = 2.0 * (double)g->m * (double)g->n * (double)(g->k + 1) * (double)g->batch;
  /* below ~1 MFLOP a wake-up of the pool costs more than it saves */
  const int64_t parts = threads == 1 || flops < 1e6 || g->batch >= threads ? 1 : threads;
  const isa_desc* d = &isas[gemm_get_isa()];
  const bool by_rows = g->m >= g->n;
  const int64_t unit = by_rows ? d->mr : d->nr, extent = by_rows ? g->m : g->n;
  const int64_t step = ((extent + parts - 1) / parts + unit - 1) / unit * unit;
  const plan p = {g, parts, by_rows, step};
  if (flops < 1e6 || threads == 1)
    for (int64_t t = 0; t < g->batch * parts; t++) run_task((void*)&p, t);
  else
    pool_run(run_task, (void*)&p, g->batch * parts);
}
