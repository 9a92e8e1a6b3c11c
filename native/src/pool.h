/*
 * A small fixed pool of worker threads for the native kernels. `pool_run` hands out task indices
 * 0..tasks-1 (the caller's thread takes part) and returns when all are done; which thread runs a
 * task never changes a result: every task writes its own part of the output.
 */
#ifndef CONCNER_POOL_H
#define CONCNER_POOL_H
#include <stdint.h>

/* A task; per-thread scratch belongs in thread-local storage (a busy pool runs a caller serially). */
typedef void (*pool_task)(void* ctx, int64_t task);

/* Sets the thread count (caller included), starting or stopping workers; returns the count in effect. */
int pool_set_threads(int threads);
int pool_threads(void);
/* Runs `tasks` tasks over the pool (serially in the caller when the pool is busy or has one thread). */
void pool_run(pool_task fn, void* ctx, int64_t tasks);

/* fn(ctx, lo, hi) over [0, n) cut into one contiguous range per thread (serially below 2 × grain). */
typedef void (*pool_range)(void* ctx, int64_t lo, int64_t hi);
void pool_for(pool_range fn, void* ctx, int64_t n, int64_t grain);

#endif
