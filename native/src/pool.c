/*
 * The worker pool (pool.h). Hand-written: the addon must build with only a C compiler (no OpenMP
 * runtime is guaranteed on a fresh machine), and it needs nothing beyond pthreads. Workers sleep
 * on a condition variable between calls (the machines it runs on are often shared: no spinning);
 * tasks are claimed through one atomic counter, so a slow core does not hold the others back.
 */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#define MAX_THREADS 256

static struct {
  pthread_mutex_t mu;
  pthread_cond_t wake, done;
  pthread_t workers[MAX_THREADS];
  int threads;    /* caller included */
  uint64_t round; /* bumped for each pool_run (and to stop) */
  bool stop;
  int busy; /* workers still in the current round */
  pool_task fn;
  void* ctx;
  int64_t tasks;
  atomic_llong next;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 1, 0, false, 0, NULL,
          NULL, 0, 0};

/* One caller at a time (worker_threads could call in parallel): others run serially. */
static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

static void drain(void) {
  for (;;) {
    const int64_t t = atomic_fetch_add(&pool.next, 1);
    if (t >= pool.tasks) return;
    pool.fn(pool.ctx, t);
  }
}

static void* worker_main(void* arg) {
  /* the round current at creation (under run_lock, between rounds): the worker joins the next one */
  uint64_t seen = (uint64_t)(uintptr_t)arg;
  pthread_mutex_lock(&pool.mu);
  for (;;) {
    while (pool.round == seen && !pool.stop) pthread_cond_wait(&pool.wake, &pool.mu);
    if (pool.stop) break;
    seen = pool.round;
    pthread_mutex_unlock(&pool.mu);
    drain();
    pthread_mutex_lock(&pool.mu);
    if (--pool.busy == 0) pthread_cond_signal(&pool.done);
  }
  pthread_mutex_unlock(&pool.mu);
  return NULL;
}

static void stop_workers(void) {
  pthread_mutex_lock(&pool.mu);
  pool.stop = true;
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.mu);
  for (int i = 1; i < pool.threads; i++) pthread_join(pool.workers[i], NULL);
  pool.stop = false;
  pool.threads = 1;
}

int pool_set_threads(int threads) {
  if (threads < 1) threads = 1;
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  pthread_mutex_lock(&run_lock);
  if (threads != pool.threads) {
    stop_workers();
    int started = 1;
    for (; started < threads; started++)
      if (pthread_create(&pool.workers[started], NULL, worker_main, (void*)(uintptr_t)pool.round) != 0) break;
    pool.threads = started;
  }
  const int out = pool.threads;
  pthread_mutex_unlock(&run_lock);
  return out;
}

int pool_threads(void) { return pool.threads; }

void pool_run(pool_task fn, void* ctx, int64_t tasks) {
  if (tasks <= 0) return;
  if (tasks == 1 || pool.threads == 1 || pthread_mutex_trylock(&run_lock) != 0) {
    for (int64_t t = 0; t < tasks; t++) fn(ctx, t);
    return;
  }
  pthread_mutex_lock(&pool.mu);
  pool.fn = fn;
  pool.ctx = ctx;
  pool.tasks = tasks;
  atomic_store(&pool.next, 0);
  pool.busy = pool.threads - 1;
  pool.round++;
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.mu);
  drain();
  pthread_mutex_lock(&pool.mu);
  while (pool.busy > 0) pthread_cond_wait(&pool.done, &pool.mu);
  pthread_mutex_unlock(&pool.mu);
  pthread_mutex_unlock(&run_lock);
}

typedef struct {
  pool_range fn;
  void* ctx;
  int64_t n, parts;
} range_plan;

static void range_task(void* ctx, int64_t task) {
  const range_plan* p = ctx;
  p->fn(p->ctx, p->n * task / p->parts, p->n * (task + 1) / p->parts);
}

void pool_for(pool_range fn, void* ctx, int64_t n, int64_t grain) {
  const int64_t parts = n / (grain > 0 ? grain : 1) < 2 ? 1 : pool.threads;
  if (parts <= 1) {
    if (n > 0) fn(ctx, 0, n);
    return;
  }
  range_plan p = {fn, ctx, n, parts};
  pool_run(range_task, &p, parts);
}
