/**
 * The `LossTerms` service: what a training step calls to compute the loss of a batch. The default
 * Layer is `evaluateObjective` with no custom terms — today's arithmetic, bit for bit;
 * `LossTerms.layer(terms)` registers a user's terms (an experiment module's `terms` export) so
 * that objectives naming them train. A test or an experiment may provide any other
 * implementation (`Layer.succeed(LossTerms, …)`); the loss functions inside stay pure.
 *
 * (Not called "Objective": that name is the spec's data — the weights a method gives the terms.)
 */
// effect's submodules, not its barrel: importing "concner/losses" stays light (README, "Install as a package")
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { LossTerm } from "./lossTerm.js"
import { type Objective, type ObjectiveValue, evaluateObjective, objectiveTerms } from "./objective.js"

/** A spec's objective names a custom term that is not registered, or registered under another version or data. */
export class LossTermUnregistered extends Data.TaggedError("LossTermUnregistered")<{
  readonly objective: string
  readonly term: string
  readonly reason: string
}> {
  override get message() {
    return `objective "${this.objective}" uses the loss term "${this.term}", ${this.reason}`
  }
}

/** Two registered terms share a name, or one takes a built-in term's name. */
export class LossTermsInvalid extends Data.TaggedError("LossTermsInvalid")<{ readonly reason: string }> {
  override get message() {
    return `loss terms: ${this.reason}`
  }
}

export interface LossTermsShape {
  /** The user's terms by name. */
  readonly registered: ReadonlyMap<string, LossTerm>
  /** Σ weight · term of `objective` on one batch, for `stage` (see `evaluateObjective`). */
  readonly evaluate: (
    objective: Objective,
    inputs: Parameters<typeof evaluateObjective>[1],
    stage: Parameters<typeof evaluateObjective>[2]
  ) => ObjectiveValue
}

const make = (registered: ReadonlyMap<string, LossTerm>): LossTermsShape => ({
  registered,
  evaluate: (objective, inputs, stage) => evaluateObjective(objective, inputs, stage, registered)
})

/** The terms as the service's map, refusing duplicate names and built-in names. */
export const registerTerms = (
  terms: ReadonlyArray<LossTerm>
): Effect.Effect<LossTermsShape, LossTermsInvalid> =>
  Effect.gen(function* () {
    const byName = new Map<string, LossTerm>()
    for (const term of terms) {
      if ((objectiveTerms as ReadonlyArray<string>).includes(term.name))
        return yield* new LossTermsInvalid({ reason: `"${term.name}" is a built-in term's name` })
      if (byName.has(term.name))
        return yield* new LossTermsInvalid({ reason: `"${term.name}" is registered twice` })
      byName.set(term.name, term)
    }
    return make(byName)
  })

export class LossTerms extends Context.Tag("concner/LossTerms")<LossTerms, LossTermsShape>() {
  /** The built-in terms only. */
  static readonly Default = Layer.succeed(LossTerms, make(new Map()))

  /** The built-in terms and `terms`. */
  static readonly layer = (terms: ReadonlyArray<LossTerm>) => Layer.effect(LossTerms, registerTerms(terms))
}

/**
 * Fails unless every custom term `objective` weighs is registered under the same version and
 * data needs: a run must train with the term its spec names, not another one of the same name.
 */
export const checkRegistered = (objective: Objective) =>
  Effect.gen(function* () {
    const { registered } = yield* LossTerms
    for (const spec of objective.customTerms ?? []) {
      const fail = (reason: string) =>
        Effect.fail(new LossTermUnregistered({ objective: objective.name, term: spec.name, reason }))
      const term = registered.get(spec.name)
      if (term === undefined)
        return yield* fail(
          registered.size === 0
            ? "and no loss terms are registered: pass --experiment FILE, the module that exports it in `terms`"
            : `which is not among the registered terms (${[...registered.keys()].join(", ")})`
        )
      if (term.version !== spec.version)
        return yield* fail(`version ${spec.version}, but the registered term is version ${term.version}`)
      if (term.needs.source !== spec.needs.source || term.needs.translations !== spec.needs.translations)
        return yield* fail("with other data needs than the registered term's")
    }
  })
