/**
 * How a run's recorded spec departs from the paper's setting (PAPER.md: mBERT, the paper's training
 * settings, MulDA-style Google Translate translations kept as published). A report cell whose runs
 * depart is marked, so a number is never read as a reproduction of the paper when it is not one.
 * The spec is read field by field with the schemas the spec is made of, not as a whole
 * `ExperimentSpec`, so a run folder written before a field was added still reports. The
 * translation source is judged by `translationDeviations`, as the Markdown report judges it.
 */
import * as path from "node:path"
import { Schema } from "effect"
import { Protocol, paperProtocol } from "../experiment/spec.js"
import { TranslationSource, translationDeviations } from "../experiment/translations.js"
import { ObjectiveSpec } from "../losses/objective.js"
import { canonicalJson } from "../records/canonicalJson.js"

/** The paper's encoder, as the last part of a model path or HF id. */
export const PAPER_ENCODER = "bert-base-multilingual-cased"

const RecordedSetting = Schema.Struct({
  method: ObjectiveSpec,
  corpus: Schema.String,
  lang: Schema.String,
  model: Schema.String,
  translations: Schema.Unknown,
  mismatches: Schema.Unknown,
  protocol: Protocol
})

const encodeProtocol = Schema.encodeSync(Protocol)

/** Fields of `protocol` whose values differ from the paper protocol's (its name aside). */
export const protocolDifferences = (protocol: Protocol): Array<string> => {
  const mine: Record<string, unknown> = encodeProtocol(protocol)
  const paper: Record<string, unknown> = encodeProtocol(paperProtocol)
  return [...new Set([...Object.keys(mine), ...Object.keys(paper)])].filter(
    (k) => k !== "name" && mine[k] !== paper[k]
  )
}

const encoderName = (model: string) => path.basename(model.replace(/[\\/]+$/, ""))

/** What departs from the paper's setting in a recorded spec (the `spec` of spec.json); [] when nothing does. */
export const specDeviations = (spec: unknown): Array<string> => {
  const decoded = Schema.decodeUnknownEither(RecordedSetting)(spec)
  if (decoded._tag === "Left")
    return [`spec.json is not a readable experiment spec (${decoded.left.message.split("\n")[0]})`]
  const { method, corpus, lang, model, translations, mismatches, protocol } = decoded.right
  const out: Array<string> = []
  const changed = protocolDifferences(protocol)
  if (changed.length > 0) out.push(`protocol ${protocol.name}: ${changed.join(", ")} differ from the paper's`)
  if (encoderName(model) !== PAPER_ENCODER) out.push(`encoder ${encoderName(model)} (paper: mBERT)`)
  if (method.needs.translations) {
    const source = Schema.decodeUnknownEither(TranslationSource)(translations)
    out.push(
      ...(source._tag === "Right"
        ? translationDeviations({ corpus, lang, translations: source.right })
        : [`translations ${canonicalJson(translations)}: not a source this concner knows`])
    )
    if (mismatches !== "keep")
      out.push(`translation pairs with other entity types: ${String(mismatches)} (paper: kept)`)
  }
  return out
}

/**
 * The deviations of a report cell: every one any of its runs has (a run without a spec.json has
 * an unknown setting) or its row carries from result.json, plus a note when its seeds do not all
 * share one setting.
 */
export const cellDeviations = (
  runs: ReadonlyArray<{ readonly spec: { readonly content: unknown } | undefined }>,
  recorded: ReadonlyArray<string> = []
): Array<string> => {
  const perRun = runs.map((r) =>
    r.spec === undefined ? ["no spec.json: setting unknown"] : specDeviations(r.spec.content)
  )
  const all = [...new Set([...perRun.flat(), ...recorded])].sort()
  const same = perRun.every((d) => d.length === perRun[0]!.length && d.every((x) => perRun[0]!.includes(x)))
  return same ? all : [...all, "its seeds do not all share one setting"]
}
