import { Data } from "effect"

/** Where a backend name came from, so an error can point at the flag or variable to fix. */
export type BackendSource = "option" | "env"

/** A backend name that concner does not know (from `--backend` or `CONCNER_BACKEND`). */
export class UnknownBackend extends Data.TaggedError("UnknownBackend")<{
  readonly name: string
  readonly source: BackendSource
  readonly choices: ReadonlyArray<string>
}> {
  override get message() {
    const where = this.source === "env" ? "CONCNER_BACKEND" : "--backend"
    return `${where}: unknown tensor backend "${this.name}" (choose one of: ${this.choices.join(", ")})`
  }
}

/** A backend that was named explicitly but cannot run here; `reason` says why. */
export class BackendUnavailable extends Data.TaggedError("BackendUnavailable")<{
  readonly backend: string
  readonly source: BackendSource
  readonly reason: string
}> {
  override get message() {
    const where = this.source === "env" ? "CONCNER_BACKEND" : "--backend"
    return `${where}: tensor backend "${this.backend}" is unavailable: ${this.reason}`
  }
}

/**
 * Switching the tfjs backend while tensors are alive would leave them on the old backend (moved
 * lazily, or lost when it is removed); the backend must be chosen before any tensor exists.
 */
export class BackendSwitchWithLiveTensors extends Data.TaggedError("BackendSwitchWithLiveTensors")<{
  readonly from: string
  readonly to: string
  readonly numTensors: number
}> {
  override get message() {
    return (
      `cannot switch the tensor backend from "${this.from}" to "${this.to}": ` +
      `${this.numTensors} tensor(s) are still alive; choose the backend before making tensors`
    )
  }
}

/** A native-kernel setting (`CONCNER_BLAS`, `CONCNER_THREADS`, `--threads`) that cannot be applied. */
export class NativeSettingInvalid extends Data.TaggedError("NativeSettingInvalid")<{
  readonly setting: string
  readonly value: string
  readonly reason: string
}> {
  override get message() {
    return `${this.setting}=${this.value}: ${this.reason}`
  }
}
