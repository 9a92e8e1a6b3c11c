/**
 * HuggingFace-layout checkpoint folders: `config.json` + `model.safetensors` (+ the tokenizer files on
 * save). Loading accepts what `BertForTokenClassification.from_pretrained` accepts — encoder names with
 * the `bert.` prefix or without, TF-era `LayerNorm.gamma`/`beta` — and reports, rather than guesses:
 * pooler, MLM-head (`cls.*`) and `position_ids` tensors are listed as unused; anything missing,
 * unexpected or misshapen fails with `CheckpointMismatch`; an absent classifier is left to the caller.
 * Saving writes a folder `from_pretrained` (model and `BertTokenizer`) loads, each file atomically.
 */
import { join } from "node:path"
import { FileSystem } from "@effect/platform"
import { Effect, Either } from "effect"
import { writeFileStringAtomic } from "../records/atomic.js"
import { tf } from "../runtime/tf.js"
import { SENTENCEPIECE_FILE } from "../text/sentencePieceTokenizer.js"
import { BertConfig, encodeBertConfig, loadBertConfig } from "./config.js"
import {
  CheckpointLabelsMismatch,
  CheckpointMismatch,
  CheckpointNameCollision,
  InvalidVocabulary,
  NonFiniteWeight,
  type ShapeMismatch
} from "./errors.js"
import { type BertParams, disposeParams, expectedShapes, mlmHeadShapes } from "./params.js"
import {
  type FloatDtype,
  type FloatTensor,
  type SafeTensor,
  readSafetensors,
  writeSafetensors
} from "./safetensors.js"

export const CONFIG_FILE = "config.json"
export const WEIGHTS_FILE = "model.safetensors"
export const VOCAB_FILE = "vocab.txt"
const CLASSIFIER = ["classifier.weight", "classifier.bias"] as const

/** How a tensor name in a file maps onto concner's parameters. */
export type NameMapping =
  | { readonly kind: "param"; readonly param: string; readonly renamed: boolean }
  | { readonly kind: "unused" }

/**
 * The parameter a checkpoint tensor name stands for: `x` and `bert.x` are both the encoder's `bert.x`
 * (`roberta.x` for RoBERTa/XLM-R: `prefix` is the config's `encoderPrefix`), `classifier.*` is the
 * head, `LayerNorm.gamma`/`beta` are `LayerNorm.weight`/`bias` (as HF's loader renames them). The
 * pooler, the pretraining heads (BERT's `cls.*`, RoBERTa's `lm_head.*`, tied or not) and the
 * `position_ids`/`token_type_ids` buffers are unused by a token classifier.
 */
export const mapTensorName = (name: string, prefix = "bert."): NameMapping => {
  if (name.startsWith("classifier.")) return { kind: "param", param: name, renamed: false }
  if (name.startsWith("cls.") || name.startsWith("lm_head.")) return { kind: "unused" }
  const bare = name.startsWith(prefix) ? name.slice(prefix.length) : name
  if (
    bare.startsWith("pooler.") ||
    bare === "embeddings.position_ids" ||
    bare === "embeddings.token_type_ids"
  )
    return { kind: "unused" }
  const renamed = bare
    .replace(/\.LayerNorm\.gamma$/, ".LayerNorm.weight")
    .replace(/\.LayerNorm\.beta$/, ".LayerNorm.bias")
  return { kind: "param", param: `${prefix}${renamed}`, renamed: renamed !== bare }
}

/** What loading did besides reading tensors: everything a user should know was adapted or left out. */
export interface LoadReport {
  readonly file: string
  /** Whether the file's encoder tensors carried the `bert.` prefix (false: a bare `BertModel` file). */
  readonly encoderPrefix: boolean
  /** Tensors loaded under another name (`LayerNorm.gamma` → `LayerNorm.weight`), as [file, param]. */
  readonly renamed: ReadonlyArray<readonly [string, string]>
  /** Tensors in the file a token classifier has no use for (pooler, `cls.*`, `position_ids`). */
  readonly unused: ReadonlyArray<string>
  /**
   * `loaded`: the file had the head; `absent`: labels were given but the file has no head, so the
   * caller must initialise `classifier.*`; `none`: no labels, an encoder alone was loaded.
   */
  readonly classifier: "loaded" | "absent" | "none"
  /** Stored dtypes other than F32 that were widened to float32 (e.g. F16, BF16). */
  readonly widened: ReadonlyArray<string>
  readonly metadata: Readonly<Record<string, string>>
}

export interface LoadedCheckpoint {
  /** The folder's config, relabelled with the requested labels when some were given. */
  readonly config: BertConfig
  readonly params: BertParams
  readonly report: LoadReport
}

const FLOAT_DTYPES: ReadonlySet<string> = new Set(["F32", "F16", "BF16", "F64"])

interface Matched {
  readonly tensors: ReadonlyMap<string, SafeTensor>
  readonly report: Omit<LoadReport, "metadata">
}

const firstNonFinite = (data: Float32Array | Float64Array): number => {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i
  return -1
}

/** The per-dimension index of flat (row-major) index `flat` in `shape`. */
const unravel = (flat: number, shape: ReadonlyArray<number>): Array<number> => {
  const index = new Array<number>(shape.length)
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = flat % shape[d]!
    flat = Math.floor(flat / shape[d]!)
  }
  return index
}

/**
 * Matches decoded tensors against the shapes `config` implies for `numLabels` classes (undefined: an
 * encoder without a head), and checks every matched weight is finite. Pure: `loadCheckpoint` is this plus file reading and variable creation.
 */
export const matchCheckpoint = (
  file: string,
  tensors: ReadonlyMap<string, SafeTensor>,
  config: BertConfig,
  numLabels: number | undefined
): Either.Either<Matched, CheckpointMismatch | CheckpointNameCollision | NonFiniteWeight> => {
  const byParam = new Map<string, { readonly source: string; readonly tensor: SafeTensor }>()
  const renamed: Array<readonly [string, string]> = []
  const unused: Array<string> = []
  let prefixed = 0
  for (const [name, tensor] of tensors) {
    const mapping = mapTensorName(name, config.encoderPrefix)
    if (mapping.kind === "unused") {
      unused.push(name)
      continue
    }
    const previous = byParam.get(mapping.param)
    if (previous !== undefined)
      return Either.left(
        new CheckpointNameCollision({ file, param: mapping.param, tensors: [previous.source, name] })
      )
    byParam.set(mapping.param, { source: name, tensor })
    if (mapping.renamed) renamed.push([name, mapping.param])
    if (name.startsWith(config.encoderPrefix)) prefixed++
  }
  const expected = expectedShapes(config, numLabels)
  const headAbsent = numLabels !== undefined && CLASSIFIER.every((key) => !byParam.has(key))
  const missing = Object.keys(expected).filter(
    (key) => !byParam.has(key) && !(headAbsent && CLASSIFIER.some((c) => c === key))
  )
  const unexpected: Array<string> = []
  const shapes: Array<ShapeMismatch> = []
  const dtypes: Array<string> = []
  for (const [param, { source, tensor }] of byParam) {
    const shape = expected[param]
    if (shape === undefined) unexpected.push(source)
    else if (shape.length !== tensor.shape.length || shape.some((d, i) => d !== tensor.shape[i]))
      shapes.push({ name: source, expected: shape, actual: tensor.shape })
    if (!FLOAT_DTYPES.has(tensor.dtype)) dtypes.push(`${source}: ${tensor.dtype}`)
  }
  if (missing.length + unexpected.length + shapes.length + dtypes.length > 0)
    return Either.left(new CheckpointMismatch({ file, missing, unexpected, shapes, dtypes }))
  for (const { source, tensor } of byParam.values()) {
    // float dtypes only past the check above
    const data = tensor.data as Float32Array | Float64Array
    const bad = firstNonFinite(data)
    if (bad >= 0)
      return Either.left(
        new NonFiniteWeight({ file, tensor: source, index: unravel(bad, tensor.shape), value: data[bad]! })
      )
  }
  return Either.right({
    tensors: new Map([...byParam].map(([param, { tensor }]) => [param, tensor])),
    report: {
      file,
      encoderPrefix: prefixed > 0,
      renamed,
      unused,
      classifier: numLabels === undefined ? "none" : headAbsent ? "absent" : "loaded",
      widened: [
        ...new Set([...byParam.values()].map(({ tensor }) => tensor.dtype).filter((d) => d !== "F32"))
      ]
    }
  })
}

const asFloat32 = (t: SafeTensor): Float32Array =>
  t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as Float64Array)

const sameLabels = (a: ReadonlyArray<string>, b: ReadonlyArray<string>) =>
  a.length === b.length && a.every((label, i) => label === b[i])

/**
 * Loads an HF BERT checkpoint folder. With `labels`, the classifier must match them (or be absent, in
 * which case `report.classifier` is `absent` and the caller initialises it); without, the config's own
 * `id2label` decides. The parameters are variables owned by the current Scope.
 */
export const loadCheckpoint = (dir: string, options: CheckpointOptions = {}) =>
  Effect.flatMap(loadBertConfig(join(dir, CONFIG_FILE)), (stored) => loadWeights(dir, stored, options))

export interface CheckpointOptions {
  readonly labels?: ReadonlyArray<string>
}

/** `loadCheckpoint` with the folder's config.json already decoded (`stored`). */
export const loadWeights = Effect.fn("Checkpoint.load")(function* (
  dir: string,
  stored: BertConfig,
  options: CheckpointOptions = {}
) {
  const file = join(dir, WEIGHTS_FILE)
  const { tensors, metadata } = yield* readSafetensors(file)
  const hasHead = CLASSIFIER.some((key) => tensors.has(key))
  const storedLabels = stored.labels
  if (
    hasHead &&
    options.labels !== undefined &&
    storedLabels !== undefined &&
    !sameLabels(storedLabels, options.labels)
  )
    return yield* new CheckpointLabelsMismatch({
      file,
      checkpointLabels: storedLabels,
      requestedLabels: options.labels
    })
  const labels = options.labels ?? storedLabels
  const config = options.labels === undefined ? stored : stored.withLabels(options.labels)
  const matched = yield* matchCheckpoint(file, tensors, config, labels?.length)
  const params = yield* Effect.acquireRelease(
    Effect.sync(
      (): BertParams =>
        Object.fromEntries(
          [...matched.tensors].map(([param, t]) => [
            param,
            // F32/F16/BF16 arrive as Float32Array (tfjs keeps it without a copy); F64 narrows here
            tf.tidy(() => tf.variable(tf.tensor(asFloat32(t), [...t.shape], "float32")))
          ])
        )
    ),
    (params) => Effect.sync(() => disposeParams(params))
  )
  return { config, params, report: { ...matched.report, metadata } } satisfies LoadedCheckpoint
})

/** What a saved folder holds besides the weights. */
export interface SaveOptions {
  readonly config: BertConfig
  /** Label names in class-id order (the classifier's rows); absent: no classifier. */
  readonly labels?: ReadonlyArray<string>
  /** Whether `params` holds HF `BertForMaskedLM`'s head (`cls.predictions.*`, see `mlmHeadShapes`). */
  readonly mlmHead?: boolean
  readonly params: BertParams
  /** The vocabulary in id order (WordPiece: vocab.txt, one token per line). */
  readonly vocab: ReadonlyArray<string>
  /** SentencePiece's model file (XLM-R): written as sentencepiece.bpe.model instead of vocab.txt. */
  readonly sentencePiece?: Uint8Array
  /** Storage dtype of the weights (default F32; F16 halves the file, rounding to nearest even). */
  readonly dtype?: FloatDtype
}

const SPECIAL = {
  unk_token: "[UNK]",
  sep_token: "[SEP]",
  pad_token: "[PAD]",
  cls_token: "[CLS]",
  mask_token: "[MASK]"
}
const REQUIRED = ["[UNK]", "[SEP]", "[PAD]", "[CLS]"]

/** Checks a vocabulary writes to a vocab.txt that `BertTokenizer` reads back as the same list. */
const checkVocab = (file: string, vocab: ReadonlyArray<string>, vocabSize: number) => {
  const fail = (line: number | undefined, token: string, reason: string) =>
    Either.left(new InvalidVocabulary({ file, line, token, reason }))
  if (vocab.length !== vocabSize)
    return fail(undefined, "", `${vocab.length} tokens, but config.json has vocab_size ${vocabSize}`)
  // Python's universal newlines end a line at \n, \r\n or \r
  const broken = vocab.findIndex((t) => /[\r\n]/.test(t) || t === "")
  if (broken >= 0) return fail(broken + 1, vocab[broken]!, "a token must be non-empty and hold no line break")
  const present = new Set(vocab)
  const absent = REQUIRED.find((t) => !present.has(t))
  if (absent !== undefined) return fail(undefined, absent, "BERT's special token is missing")
  return Either.right(present)
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`

/**
 * Saves a `BertForTokenClassification` folder: config.json (`architectures`, `model_type`, `id2label`,
 * `label2id`), model.safetensors (`bert.`-prefixed encoder + `classifier.*`, `format: pt` metadata, which
 * transformers requires), vocab.txt, tokenizer_config.json (cased `BertTokenizer`) and
 * special_tokens_map.json. Without `labels` there is no classifier (`architectures: ["BertModel"]`), and
 * with `mlmHead` the folder is a `BertForMaskedLM` (`cls.predictions.*`, decoder tied to the word
 * embeddings). The weights must match the config exactly (`CheckpointMismatch` otherwise).
 */
export const saveCheckpoint = Effect.fn("Checkpoint.save")(function* (dir: string, options: SaveOptions) {
  const fs = yield* FileSystem.FileSystem
  const { params, labels, vocab } = options
  const config =
    labels !== undefined
      ? options.config.withLabels(labels)
      : new BertConfig({
          ...options.config,
          architectures: [options.config.architectureName(options.mlmHead ? "ForMaskedLM" : "Model")]
        })
  const weightsFile = join(dir, WEIGHTS_FILE)
  if (options.sentencePiece !== undefined && !config.isRoberta)
    return yield* Effect.dieMessage("saveCheckpoint: a SentencePiece tokenizer with a BERT config")
  const present =
    options.sentencePiece === undefined
      ? yield* checkVocab(join(dir, VOCAB_FILE), vocab, config.vocabSize)
      : new Set<string>()
  if (options.sentencePiece !== undefined && vocab.length > config.vocabSize)
    return yield* new InvalidVocabulary({
      file: join(dir, SENTENCEPIECE_FILE),
      line: undefined,
      token: "",
      reason: `${vocab.length} tokens, more than config.json's vocab_size ${config.vocabSize}`
    })
  const expected = {
    ...expectedShapes(config, labels?.length),
    ...(options.mlmHead ? mlmHeadShapes(config) : {})
  }
  const missing = Object.keys(expected).filter((key) => params[key] === undefined)
  const unexpected = Object.keys(params).filter((key) => expected[key] === undefined)
  const shapes = Object.entries(params).flatMap(([name, v]): Array<ShapeMismatch> => {
    const shape = expected[name]
    return shape !== undefined && (shape.length !== v.shape.length || shape.some((d, i) => d !== v.shape[i]))
      ? [{ name, expected: shape, actual: v.shape }]
      : []
  })
  const dtypes = Object.entries(params).flatMap(([name, v]) =>
    v.dtype === "float32" ? [] : [`${name}: ${v.dtype}`]
  )
  if (missing.length + unexpected.length + shapes.length + dtypes.length > 0)
    return yield* new CheckpointMismatch({ file: weightsFile, missing, unexpected, shapes, dtypes })
  const tensors = new Map<string, FloatTensor>()
  for (const [name, v] of Object.entries(params))
    tensors.set(name, { shape: v.shape, data: (yield* Effect.promise(() => v.data())) as Float32Array })
  yield* fs.makeDirectory(dir, { recursive: true })
  yield* writeSafetensors(weightsFile, tensors, { format: "pt" }, options.dtype ?? "F32")
  if (options.sentencePiece !== undefined) yield* writeSentencePieceFiles(dir, options.sentencePiece, config)
  else yield* writeWordPieceFiles(dir, vocab, present, config)
  // last, so a folder with a config.json was written whole
  yield* writeFileStringAtomic(join(dir, CONFIG_FILE), json(encodeBertConfig(config)))
})

const writeWordPieceFiles = Effect.fn("Checkpoint.saveWordPiece")(function* (
  dir: string,
  vocab: ReadonlyArray<string>,
  present: ReadonlySet<string>,
  config: BertConfig
) {
  yield* writeFileStringAtomic(join(dir, VOCAB_FILE), `${vocab.join("\n")}\n`)
  const special = Object.fromEntries(Object.entries(SPECIAL).filter(([, token]) => present.has(token)))
  yield* writeFileStringAtomic(join(dir, "special_tokens_map.json"), json(special))
  yield* writeFileStringAtomic(
    join(dir, "tokenizer_config.json"),
    json({
      tokenizer_class: "BertTokenizer",
      do_lower_case: false, // mBERT is cased: no lowercasing, no accent stripping
      strip_accents: null,
      tokenize_chinese_chars: true,
      model_max_length: config.maxPositionEmbeddings,
      ...special
    })
  )
})

/** HF `XLMRobertaTokenizer`'s special tokens (its defaults; `<mask>` strips the space before it). */
const XLMR_SPECIAL = {
  bos_token: "<s>",
  eos_token: "</s>",
  unk_token: "<unk>",
  sep_token: "</s>",
  pad_token: "<pad>",
  cls_token: "<s>",
  mask_token: { content: "<mask>", lstrip: true, normalized: false, rstrip: false, single_word: false }
}

/** sentencepiece.bpe.model as it was read, with the tokenizer_config.json `XLMRobertaTokenizer` reads. */
const writeSentencePieceFiles = Effect.fn("Checkpoint.saveSentencePiece")(function* (
  dir: string,
  model: Uint8Array,
  config: BertConfig
) {
  const fs = yield* FileSystem.FileSystem
  const file = join(dir, SENTENCEPIECE_FILE)
  yield* fs.writeFile(`${file}.tmp`, model)
  yield* fs.rename(`${file}.tmp`, file)
  yield* writeFileStringAtomic(join(dir, "special_tokens_map.json"), json(XLMR_SPECIAL))
  yield* writeFileStringAtomic(
    join(dir, "tokenizer_config.json"),
    json({
      tokenizer_class: "XLMRobertaTokenizer",
      model_max_length: config.maxSequenceLength,
      ...XLMR_SPECIAL
    })
  )
})
