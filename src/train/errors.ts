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

/** Who holds a run folder's lock (`run.lock`: written once, with O_EXCL, by the holder). */
export interface LockHolder {
  readonly pid: number
  readonly host: string
  /** ISO time the holder took the lock. */
  readonly started: string
}

const holderText = (h: LockHolder) => `pid ${h.pid} on ${h.host}, since ${h.started}`

/** Another process holds the run folder: one folder holds one run at a time. */
export class RunFolderLocked extends Data.TaggedError("RunFolderLocked")<{
  readonly dir: string
  readonly holder: LockHolder
  /** `running`: the holder is alive on this host; `elsewhere`: it is on another host, which cannot be checked. */
  readonly state: "running" | "elsewhere"
}> {
  override get message() {
    return this.state === "running"
      ? `${this.dir}: in use by another concner run (${holderText(this.holder)}); a run folder holds one run: wait for it to end, or choose another folder`
      : `${this.dir}: locked by a run on another machine (${holderText(this.holder)}); if that run is dead, delete ${this.dir}/run.lock`
  }
}

/** A `run.lock` this process cannot read as a lock (or another process is taking over a stale one). */
export class RunLockUnreadable extends Data.TaggedError("RunLockUnreadable")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: ${this.reason}`
  }
}
