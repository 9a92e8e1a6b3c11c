/*
 * concner's built-in single-precision GEMM: C = op(A) · op(B) (+ a bias row), batched, over the
 * worker pool. Needs only a C compiler: no system BLAS.
 */
#ifndef CONCNER_GEMM_H
#define CONCNER_GEMM_H
#include <stdbool.h>
#include <stdint.h>

/* Instruction sets with a micro-kernel, chosen at run time (one portable build serves every CPU). */
typedef enum { GEMM_PORTABLE = 0, GEMM_AVX2 = 1, GEMM_AVX512 = 2 } gemm_isa;

bool gemm_isa_supported(gemm_isa isa);
/* The widest set this CPU supports. */
gemm_isa gemm_best_isa(void);
const char* gemm_isa_name(gemm_isa isa);
/* Selects the set (false, and no change, when the CPU lacks it). */
bool gemm_set_isa(gemm_isa isa);
gemm_isa gemm_get_isa(void);

/*
 * batch products, row-major: item i is C + i·c_stride (m × n, row stride ldc) ← op(A + a_off[i]) ·
 * op(B + b_off[i]) (+ bias[j] on column j when bias is not NULL). op(A) is m × k: A read at
 * [i·lda + p], or at [p·lda + i] when ta; op(B) is k × n: B at [p·ldb + j], or [j·ldb + p] when tb.
 */
typedef struct {
  bool ta, tb;
  int64_t m, n, k, batch;
  const float* a;
  const int32_t* a_off;
  int64_t lda;
  const float* b;
  const int32_t* b_off;
  int64_t ldb;
  float* c;
  int64_t ldc, c_stride;
  const float* bias;
} gemm_args;

/*
 * Runs the products on the pool. Every element of C is one fused multiply-add chain over p = 0..k-1
 * in order, from 0 (then + bias): the blocking, the instruction set and the thread count never change
 * a bit of the result.
 */
void gemm_run(const gemm_args* g);

#endif
