/**
 * Typed failures of the training stage. A non-finite loss or gradient stops a run (never trains on);
 * a torn or mismatched state file is reported, never loaded.
 */
import { Data } from "effect"

/** The loss of a step was NaN or ±Infinity. `step` counts optimizer steps from 0; `batch` is the
 * batch's index within its epoch. */
export class NonFiniteLoss extends Data.TaggedError("NonFiniteLoss")<{
  readonly run: string
  readonly step: number
  readonly batch: number
  readonly value: number
}> {
  override get message() {
    return `${this.run}: loss is ${this.value} at step ${this.step} (batch ${this.batch}); the run stops here`
  }
}

/** A gradient held NaN or ±Infinity. `param` is the first offending parameter (checkpoint name),
 * `params` all of them. */
export class NonFiniteGradient extends Data.TaggedError("NonFiniteGradient")<{
  readonly run: string
  readonly step: number
  readonly batch: number
  readonly param: string
  readonly params: ReadonlyArray<string>
}> {
  override get message() {
    const more = this.params.length > 1 ? ` and ${this.params.length - 1} more parameter(s)` : ""
    return `${this.run}: non-finite gradient for ${this.param}${more} at step ${this.step} (batch ${this.batch}); the run stops here`
  }
}

/** A state file that is truncated, corrupted or not a state file at all. */
export class TornStateFile extends Data.TaggedError("TornStateFile")<{
  readonly path: string
  readonly reason: string
}> {
  override get message() {
    return `${this.path}: torn or corrupted state file (${this.reason}); it was not loaded`
  }
}

/** Optimizer state (e.g. from a checkpoint) that does not match the parameters being optimized. */
export class OptimizerStateMismatch extends Data.TaggedError("OptimizerStateMismatch")<{
  readonly reason: string
}> {
  override get message() {
    return `optimizer state does not match the parameters: ${this.reason}`
  }
}
