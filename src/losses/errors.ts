import * as Data from "effect/Data"

/**
 * A loss was given tensors it cannot be defined on (wrong rank, mismatched shapes, a label out of
 * range). These are caller bugs; the pure loss functions throw them synchronously, so inside an
 * `Effect.sync` they surface as defects naming the loss and the offending input.
 */
export class LossInputError extends Data.TaggedError("LossInputError")<{
  readonly loss: string
  readonly reason: string
}> {
  override get message() {
    return `${this.loss}: ${this.reason}`
  }
}

/** `evaluateObjective` was asked for a weighted term whose inputs the batch did not provide. */
export class ObjectiveInputError extends Data.TaggedError("ObjectiveInputError")<{
  readonly objective: string
  readonly term: string
  readonly missing: string
}> {
  override get message() {
    return `objective "${this.objective}": term ${this.term} has a weight but the inputs lack ${this.missing}`
  }
}
