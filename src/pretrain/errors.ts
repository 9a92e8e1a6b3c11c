/** Typed failures of pretraining. (A test split given as text is `TestSplitRefused`, from the text stage.) */
import { Data } from "effect"

/** The `--config` file is unreadable, malformed, or disagrees with the vocabulary. */
export class PretrainConfigError extends Data.TaggedError("PretrainConfigError")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: ${this.reason}`
  }
}

/** `--resume` on a folder whose state was made with other settings, or holds no state. */
export class PretrainResumeError extends Data.TaggedError("PretrainResumeError")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: cannot resume: ${this.reason}`
  }
}

/** The vocabulary lacks a token pretraining needs (`[MASK]`). */
export class PretrainVocabError extends Data.TaggedError("PretrainVocabError")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: ${this.reason}`
  }
}

/** The sources give no sentence to train on. */
export class NoPretrainingText extends Data.TaggedError("NoPretrainingText")<{
  readonly sources: ReadonlyArray<string>
}> {
  override get message() {
    return `no pretraining sentences in ${this.sources.join(", ")}`
  }
}

/** `codeSwitch` names a language whose MUSE dictionary cannot be read. */
export class CodeSwitchDictionaryMissing extends Data.TaggedError("CodeSwitchDictionaryMissing")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: cannot read the code-switching dictionary: ${this.reason}`
  }
}

/** `codeSwitch` is set but no English training corpus is among the sources. */
export class CodeSwitchWithoutEnglish extends Data.TaggedError("CodeSwitchWithoutEnglish")<{
  readonly sources: ReadonlyArray<string>
}> {
  override get message() {
    return `codeSwitch switches English training sentences, but none is among the sources: ${this.sources.join(", ")}`
  }
}
