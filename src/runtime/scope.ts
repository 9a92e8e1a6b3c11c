/**
 * Tensor lifetimes as Effect resources. tfjs tracks every tensor a kernel makes in the engine's
 * active scope; these helpers open such a scope around an effect and close it on success, failure
 * and interruption, disposing every tensor made inside that the caller did not keep.
 *
 * The engine has one global scope stack, so two fibers interleaving scopes would close each
 * other's. A lock serialises tensor scopes across fibers; a fiber already inside one nests freely
 * (scopes of one fiber close in LIFO order). For the same reason, tensors made outside any scope
 * while another fiber is inside one land in that fiber's scope: keep all tensor work in scopes.
 */
import type { TensorContainer } from "@tensorflow/tfjs-core"
import { Effect, Exit, FiberRef, type Scope } from "effect"
import { type Tensor, type Variable, tf } from "./tf.js"

const lock = Effect.unsafeMakeSemaphore(1)
const insideScope = FiberRef.unsafeMake(false)

const open = (name: string) =>
  Effect.sync(() => {
    tf.engine().startScope(name)
    return tf.engine().state.activeScope.id
  })

/**
 * Ends the scope `id`, first ending any scope opened inside it and left open (a `startScope`
 * whose `endScope` was skipped by a throw). Tensors in `keep` move to the enclosing scope.
 */
const close = (id: number, keep?: TensorContainer) =>
  Effect.suspend(() => {
    const engine = tf.engine()
    if (!engine.state.scopeStack.some((s) => s.id === id)) {
      return Effect.dieMessage(`tensor scope ${id} was already ended by someone else`)
    }
    while (engine.state.activeScope.id !== id) engine.endScope(keep)
    engine.endScope(keep)
    return Effect.void
  })

/**
 * Runs `effect` in a fresh tensor scope. On success the tensors reachable from its result stay
 * alive (moved to the enclosing scope, as with `tf.tidy`); everything else it made is disposed.
 * On failure or interruption every tensor it made is disposed. Variables are never disposed here.
 */
export const withTensorScope = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  name = "concner"
): Effect.Effect<A, E, R> => {
  const scoped = Effect.acquireUseRelease(
    open(name),
    () => effect,
    (id, exit) => close(id, Exit.isSuccess(exit) ? (exit.value as TensorContainer) : undefined)
  )
  return Effect.flatMap(FiberRef.get(insideScope), (inside) =>
    inside ? scoped : lock.withPermits(1)(Effect.locally(scoped, insideScope, true))
  )
}

/**
 * Opens a tensor scope tied to the current `Scope`: every tensor made from here until the Scope
 * closes is disposed then, unless `tf.keep` was called on it.
 */
export const tensorScope = (name = "concner"): Effect.Effect<void, never, Scope.Scope> =>
  Effect.gen(function* () {
    if (!(yield* FiberRef.get(insideScope))) {
      // the wait for the lock stays interruptible; the finalizer is added only once it is held
      yield* Effect.uninterruptibleMask((restore) =>
        Effect.zipRight(
          restore(lock.take(1)),
          Effect.addFinalizer(() => lock.release(1))
        )
      )
      yield* Effect.locallyScoped(insideScope, true)
    }
    yield* Effect.acquireRelease(open(name), (id) => close(id))
  })

/**
 * Makes tf.Variables (weights, optimizer state) as a resource, disposed when the Scope closes.
 * `make`'s own tensors are temporary: only the variables outlive it. Variables keep no tfjs name
 * (tfjs names are global and clash), so the record's keys are their names.
 */
export const acquireVariables = <K extends string>(
  make: () => Record<K, Tensor>,
  trainable = true
): Effect.Effect<Record<K, Variable>, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync(() =>
      tf.tidy(
        () =>
          Object.fromEntries(
            Object.entries<Tensor>(make()).map(([key, t]) => [key, tf.variable(t, trainable)])
          ) as Record<K, Variable>
      )
    ),
    (variables) => Effect.sync(() => tf.dispose(Object.values<Variable>(variables)))
  )
