/** `MODEL_CARD.md` of a pretrained encoder: what it was trained on, how, and how well it fills masks. */
import type { BertConfig } from "../model/config.js"
import type { CommitInfo, DataFileHash } from "../records/runRecord.js"

export interface CurvePoint {
  /** Last step (1-based) of the window. */
  readonly step: number
  readonly loss: number
  readonly accuracy: number
}

export interface LanguageScore {
  readonly lang: string
  readonly sentences: number
  readonly predicted: number
  readonly loss: number
  readonly accuracy: number
}

export interface ModelCardInfo {
  readonly config: BertConfig
  readonly parameters: number
  readonly vocabSize: number
  readonly steps: number
  readonly batchSize: number
  readonly maxLength: number
  readonly wallSeconds: number
  readonly backend: string
  readonly settings: Readonly<Record<string, unknown>>
  readonly sources: ReadonlyArray<{ readonly source: string; readonly sentences: number }>
  readonly files: ReadonlyArray<DataFileHash>
  readonly curve: ReadonlyArray<CurvePoint>
  readonly heldOut: ReadonlyArray<LanguageScore>
  readonly commit: CommitInfo
}

/** Mean loss and accuracy over (at most) `points` equal windows of the steps, in step order. */
export const lossCurve = (
  steps: ReadonlyArray<{ readonly step: number; readonly loss: number; readonly accuracy: number }>,
  points = 20
): Array<CurvePoint> => {
  const sorted = [...steps].sort((a, b) => a.step - b.step)
  const size = Math.max(1, Math.ceil(sorted.length / points))
  const out: Array<CurvePoint> = []
  for (let i = 0; i < sorted.length; i += size) {
    const w = sorted.slice(i, i + size)
    out.push({
      step: w[w.length - 1]!.step + 1,
      loss: w.reduce((s, x) => s + x.loss, 0) / w.length,
      accuracy: w.reduce((s, x) => s + x.accuracy, 0) / w.length
    })
  }
  return out
}

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : String(x))
const pct = (x: number) => `${(100 * x).toFixed(1)} %`

export const renderModelCard = (info: ModelCardInfo): string => {
  const c = info.config
  const commit =
    info.commit.source === "git"
      ? `${info.commit.sha}${info.commit.dirty ? " (with uncommitted changes)" : ""}`
      : `${info.commit.sha} (${info.commit.source})`
  return [
    "# concner pretrained multilingual BERT",
    "",
    "A small BERT (`BertForMaskedLM`) pretrained by `concner pretrain` with masked-language modelling on",
    "the training and dev splits of CoNLL (en/de/es/nl) and WikiAnn, and translation-language modelling",
    "on English–German/Spanish/Dutch translations of CoNLL English train. No test split was read.",
    "",
    "## Architecture",
    "",
    `- layers ${c.numHiddenLayers}, hidden size ${c.hiddenSize}, heads ${c.numAttentionHeads}, FFN ${c.intermediateSize}, ` +
      `activation ${c.hiddenAct}, max positions ${c.maxPositionEmbeddings}`,
    `- vocabulary: ${info.vocabSize} WordPiece tokens (cased)`,
    `- parameters: ${info.parameters.toLocaleString("en-US")} (encoder + MLM head; decoder tied to the word embeddings)`,
    "",
    "## Training",
    "",
    `- steps: ${info.steps}, batch ${info.batchSize} sequences of at most ${info.maxLength} subwords`,
    `- wall time: ${Math.round(info.wallSeconds)} s (${(info.wallSeconds / 3600).toFixed(2)} h) on the ${info.backend} backend`,
    `- settings: \`${JSON.stringify(info.settings)}\``,
    `- commit: ${commit}`,
    "",
    "## Data",
    "",
    "| source | sentences (pairs for translations) |",
    "| --- | ---: |",
    ...info.sources.map((s) => `| ${s.source} | ${s.sentences} |`),
    "",
    "Files, relative to the data root (`../shared/data`):",
    "",
    "| file | bytes | SHA-256 |",
    "| --- | ---: | --- |",
    ...info.files.map((d) => `| ${d.path} | ${d.bytes} | \`${d.sha256}\` |`),
    "",
    "## MLM loss curve (training batches, window means)",
    "",
    "| step | loss | masked-token accuracy |",
    "| ---: | ---: | ---: |",
    ...info.curve.map((p) => `| ${p.step} | ${f(p.loss)} | ${pct(p.accuracy)} |`),
    "",
    "## Masked-token accuracy on held-out dev text",
    "",
    "Dev sentences kept out of training (seeded per language), masked with the training scheme.",
    "",
    "| language | sentences | predicted tokens | loss | accuracy |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...info.heldOut.map(
      (h) => `| ${h.lang} | ${h.sentences} | ${h.predicted} | ${f(h.loss)} | ${pct(h.accuracy)} |`
    ),
    ""
  ].join("\n")
}
