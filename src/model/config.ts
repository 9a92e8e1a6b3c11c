/**
 * `BertConfig`: HuggingFace's BERT `config.json`, decoded once at the edge — and RoBERTa's/XLM-R's
 * (`model_type` `roberta`, `xlm-roberta`), whose config is BERT's with other defaults (`pad_token_id`
 * 1) and whose encoder differs only in its names (`roberta.*`) and positions (see `isRoberta`).
 *
 * Field names are camelCase here and HF's snake_case on disk (`Schema.fromKey`), so encoding a
 * config gives back a `config.json` that `transformers` reads. Defaults are HF's
 * (`configuration_bert.py`): a field missing from the file means what it means to `from_pretrained`.
 * Unknown keys fail with the list of them: a field we do not model might change the numerics.
 */
import { FileSystem } from "@effect/platform"
import { Data, Effect, Either, Schema, SchemaAST } from "effect"
import { schemaIssues } from "../data/schemaIssues.js"

export class BertConfigError extends Data.TaggedError("BertConfigError")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: ${this.reason}`
  }
}

const PositiveInt = Schema.Int.pipe(Schema.positive())

/**
 * Upper bounds on a config's sizes, far above any published BERT (mBERT: 12 layers, hidden 768,
 * vocab 119,547; the largest BERT-family models: 48 layers, hidden 8192, vocab ~250k). Without them a
 * corrupt or hostile config.json (`num_hidden_layers: 1000000`) sends the loader into minutes of
 * synchronous work before any check on the weights can fail.
 */
export const CONFIG_LIMITS = {
  num_hidden_layers: 256,
  hidden_size: 16_384,
  num_attention_heads: 1_024,
  intermediate_size: 65_536,
  vocab_size: 1_048_576,
  max_position_embeddings: 65_536,
  type_vocab_size: 1_024
} as const
/** Most parameters a checkpoint may declare: tfjs cannot hold a model larger than this in memory anyway. */
export const MAX_PARAMETERS = 2 ** 31

const size = (key: keyof typeof CONFIG_LIMITS) =>
  PositiveInt.pipe(
    Schema.lessThanOrEqualTo(CONFIG_LIMITS[key], {
      message: (issue) =>
        `${JSON.stringify(issue.actual)} is larger than concner accepts (at most ${CONFIG_LIMITS[key]})`
    })
  )
const Probability = Schema.Number.pipe(Schema.greaterThanOrEqualTo(0), Schema.lessThan(1))

/** Activations of `BertIntermediate`: `gelu` is exact (erf), `gelu_new` the tanh approximation. */
export const HiddenAct = Schema.Literal("gelu", "gelu_new", "relu")
export type HiddenAct = typeof HiddenAct.Type

const withDefault = <S extends Schema.Schema.Any>(
  schema: S,
  key: string,
  value: () => Schema.Schema.Type<S>
) => Schema.optionalWith(schema, { default: value }).pipe(Schema.fromKey(key))

/** The `model_type`s concner runs: BERT, and the RoBERTa architecture XLM-R uses. */
export const ModelType = Schema.Literal("bert", "roberta", "xlm-roberta")
export type ModelType = typeof ModelType.Type

export class BertConfig extends Schema.Class<BertConfig>("BertConfig")({
  modelType: Schema.propertySignature(ModelType).pipe(Schema.fromKey("model_type")),
  vocabSize: withDefault(size("vocab_size"), "vocab_size", () => 30522),
  hiddenSize: withDefault(size("hidden_size"), "hidden_size", () => 768),
  numHiddenLayers: withDefault(size("num_hidden_layers"), "num_hidden_layers", () => 12),
  numAttentionHeads: withDefault(size("num_attention_heads"), "num_attention_heads", () => 12),
  intermediateSize: withDefault(size("intermediate_size"), "intermediate_size", () => 3072),
  hiddenAct: withDefault(HiddenAct, "hidden_act", () => "gelu" as const),
  hiddenDropoutProb: withDefault(Probability, "hidden_dropout_prob", () => 0.1),
  attentionProbsDropoutProb: withDefault(Probability, "attention_probs_dropout_prob", () => 0.1),
  /** Dropout before the token classifier; HF falls back to `hidden_dropout_prob` when null. */
  classifierDropout: withDefault(Schema.NullOr(Probability), "classifier_dropout", () => null),
  maxPositionEmbeddings: withDefault(size("max_position_embeddings"), "max_position_embeddings", () => 512),
  typeVocabSize: withDefault(size("type_vocab_size"), "type_vocab_size", () => 2),
  initializerRange: withDefault(Schema.Number.pipe(Schema.positive()), "initializer_range", () => 0.02),
  layerNormEps: withDefault(Schema.Number.pipe(Schema.positive()), "layer_norm_eps", () => 1e-12),
  padTokenId: withDefault(Schema.Int.pipe(Schema.nonNegative()), "pad_token_id", () => 0),
  positionEmbeddingType: withDefault(
    Schema.Literal("absolute"),
    "position_embedding_type",
    () => "absolute" as const
  ),
  architectures: Schema.optional(Schema.Array(Schema.String)),
  id2label: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  label2id: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Int }))
}) {
  /**
   * RoBERTa/XLM-R (HF `modeling_roberta.py`): encoder keys under `roberta.`, position ids counting
   * from `pad_token_id + 1` over the non-padding tokens (padding keeps `pad_token_id`), no `cls.*` head.
   */
  get isRoberta(): boolean {
    return this.modelType !== "bert"
  }

  /** The encoder's key prefix in a token-classification checkpoint (HF `base_model_prefix`). */
  get encoderPrefix(): string {
    return this.isRoberta ? "roberta." : "bert."
  }

  /** The longest input (special tokens included): RoBERTa's positions start after the padding index. */
  get maxSequenceLength(): number {
    return this.isRoberta ? this.maxPositionEmbeddings - this.padTokenId - 1 : this.maxPositionEmbeddings
  }

  /** HF's class names for this architecture (`BertForTokenClassification`, `XLMRobertaForTokenClassification`…). */
  architectureName(head: "ForTokenClassification" | "ForMaskedLM" | "Model"): string {
    const family = { bert: "Bert", roberta: "Roberta", "xlm-roberta": "XLMRoberta" }[this.modelType]
    return `${family}${head}`
  }

  get headSize(): number {
    return this.hiddenSize / this.numAttentionHeads
  }

  /** Dropout rate of the token-classification head (HF `BertForTokenClassification`). */
  get classifierDropoutProb(): number {
    return this.classifierDropout ?? this.hiddenDropoutProb
  }

  /** Labels ordered by id, or undefined when the config names none. */
  get labels(): ReadonlyArray<string> | undefined {
    const id2label = this.id2label
    return id2label === undefined
      ? undefined
      : Array.from({ length: Object.keys(id2label).length }, (_, i) => id2label[String(i)] ?? "")
  }

  /** The same config for a token classifier over `labels` (what `save_pretrained` writes). */
  withLabels(labels: ReadonlyArray<string>): BertConfig {
    return new BertConfig({
      ...this,
      architectures: [this.architectureName("ForTokenClassification")],
      id2label: Object.fromEntries(labels.map((label, i) => [String(i), label])),
      label2id: Object.fromEntries(labels.map((label, i) => [label, i]))
    })
  }
}

/**
 * HF keys accepted and ignored: generic `PretrainedConfig` attributes (generation, export, bookkeeping)
 * and BERT fields that do not change an encoder's forward pass (the unused pooler, caching, the
 * original TF checkpoint's pooler settings). Keys that would change the numerics (`is_decoder`,
 * `add_cross_attention`, `chunk_size_feed_forward`, `pruned_heads`) are checked in `rejectUnsupported`.
 */
export const IGNORED_CONFIG_KEYS: ReadonlySet<string> = new Set([
  "_name_or_path",
  "transformers_version",
  "torch_dtype",
  "dtype",
  "use_cache",
  "gradient_checkpointing",
  "directionality",
  "pooler_fc_size",
  "pooler_num_attention_heads",
  "pooler_num_fc_layers",
  "pooler_size_per_head",
  "pooler_type",
  "output_past",
  "output_hidden_states",
  "output_attentions",
  "return_dict",
  "torchscript",
  "use_bfloat16",
  "tf_legacy_loss",
  "tie_word_embeddings",
  "is_encoder_decoder",
  "tie_encoder_decoder",
  "cross_attention_hidden_size",
  "finetuning_task",
  "problem_type",
  "num_labels",
  "tokenizer_class",
  "prefix",
  "task_specific_params",
  "bos_token_id",
  "eos_token_id",
  "sep_token_id",
  "decoder_start_token_id",
  "max_length",
  "min_length",
  "do_sample",
  "early_stopping",
  "num_beams",
  "num_beam_groups",
  "diversity_penalty",
  "temperature",
  "top_k",
  "top_p",
  "typical_p",
  "repetition_penalty",
  "length_penalty",
  "no_repeat_ngram_size",
  "encoder_no_repeat_ngram_size",
  "bad_words_ids",
  "num_return_sequences",
  "output_scores",
  "return_dict_in_generate",
  "forced_bos_token_id",
  "forced_eos_token_id",
  "remove_invalid_values",
  "exponential_decay_length_penalty",
  "suppress_tokens",
  "begin_suppress_tokens",
  "xla_device"
])

/** Keys HF accepts whose non-default values change the forward pass; concner supports the defaults only. */
const UNSUPPORTED_UNLESS: ReadonlyArray<readonly [string, (value: unknown) => boolean, string]> = [
  ["is_decoder", (v) => v === false, "false"],
  ["add_cross_attention", (v) => v === false, "false"],
  ["chunk_size_feed_forward", (v) => v === 0, "0"],
  ["pruned_heads", (v) => typeof v === "object" && v !== null && Object.keys(v).length === 0, "{}"]
]

/** The on-disk (snake_case) keys `BertConfig` decodes. */
const modelledKeys: ReadonlySet<string> = new Set(
  SchemaAST.getPropertySignatures(Schema.encodedSchema(BertConfig).ast).map((p) => String(p.name))
)

const checkLabels = (config: BertConfig): string | undefined => {
  const { id2label, label2id } = config
  if (id2label === undefined) return label2id === undefined ? undefined : "label2id given without id2label"
  const ids = Object.keys(id2label)
  const expected = ids.map((_, i) => String(i))
  if ([...ids].sort().join() !== [...expected].sort().join())
    return `id2label keys must be 0..${ids.length - 1}, got ${JSON.stringify(ids)}`
  const labels = config.labels ?? []
  if (new Set(labels).size !== labels.length)
    return `id2label has duplicate labels: ${JSON.stringify(labels)}`
  if (label2id !== undefined && labels.some((label, i) => label2id[label] !== i))
    return `label2id ${JSON.stringify(label2id)} is not the inverse of id2label ${JSON.stringify(id2label)}`
  return undefined
}

/** The encoder's parameter count, from the sizes alone (no per-tensor enumeration). */
const parameterCount = (c: BertConfig): number => {
  const h = c.hiddenSize
  const embeddings = (c.vocabSize + c.maxPositionEmbeddings + c.typeVocabSize + 2) * h
  const layer = 4 * (h * h + h) + 2 * c.intermediateSize * h + c.intermediateSize + h + 4 * h
  return embeddings + c.numHiddenLayers * layer
}

/** Decodes the parsed contents of a `config.json`; `file` names it in errors. */
export const decodeBertConfig = (json: unknown, file: string): Either.Either<BertConfig, BertConfigError> => {
  const fail = (reason: string) => Either.left(new BertConfigError({ file, reason }))
  if (typeof json !== "object" || json === null || Array.isArray(json)) return fail("expected a JSON object")
  const record = json as Record<string, unknown>
  if (!ModelType.literals.some((t) => t === record.model_type))
    return fail(
      `model_type ${JSON.stringify(record.model_type)} is not supported (concner runs ${ModelType.literals.map((t) => JSON.stringify(t)).join(", ")})`
    )
  if (record.position_embedding_type !== undefined && record.position_embedding_type !== "absolute")
    return fail(
      `position_embedding_type ${JSON.stringify(record.position_embedding_type)} is not supported (only "absolute")`
    )
  if (typeof record.hidden_act === "string" && !HiddenAct.literals.some((a) => a === record.hidden_act))
    return fail(
      `hidden_act ${JSON.stringify(record.hidden_act)} is not supported (use ${HiddenAct.literals.join(", ")})`
    )
  for (const [key, ok, wanted] of UNSUPPORTED_UNLESS)
    if (key in record && !ok(record[key]))
      return fail(`${key} = ${JSON.stringify(record[key])} is not supported (only ${wanted})`)
  const id2label = record.id2label
  if (typeof record.num_labels === "number" && typeof id2label === "object" && id2label !== null)
    if (Object.keys(id2label).length !== record.num_labels)
      return fail(
        `num_labels ${record.num_labels} disagrees with id2label's ${Object.keys(id2label).length} labels`
      )
  const supportedUnless = new Set(UNSUPPORTED_UNLESS.map(([key]) => key))
  const unknown = Object.keys(record).filter(
    (key) => !modelledKeys.has(key) && !IGNORED_CONFIG_KEYS.has(key) && !supportedUnless.has(key)
  )
  if (unknown.length > 0)
    return fail(
      `unknown config fields: ${unknown.slice(0, 8).join(", ")}${unknown.length > 8 ? ` and ${unknown.length - 8} more` : ""}`
    )
  const known = Object.fromEntries(Object.entries(record).filter(([key]) => modelledKeys.has(key)))
  // HF RobertaConfig/XLMRobertaConfig default pad_token_id to 1 (fairseq's <pad>), BertConfig to 0
  if (record.model_type !== "bert" && known.pad_token_id === undefined) known.pad_token_id = 1
  return Schema.decodeUnknownEither(BertConfig)(known).pipe(
    Either.mapLeft((error) => new BertConfigError({ file, reason: schemaIssues(error).join("; ") })),
    Either.flatMap((config) => {
      if (config.hiddenSize % config.numAttentionHeads !== 0)
        return fail(
          `hidden_size ${config.hiddenSize} is not a multiple of num_attention_heads ${config.numAttentionHeads}`
        )
      const parameters = parameterCount(config)
      if (parameters > MAX_PARAMETERS)
        return fail(
          `these sizes make ${parameters.toExponential(2)} parameters, more than concner can hold (at most ${MAX_PARAMETERS.toExponential(2)})`
        )
      const labelError = checkLabels(config)
      if (labelError !== undefined) return fail(labelError)
      if (config.padTokenId >= config.vocabSize)
        return fail(
          `pad_token_id ${config.padTokenId} is outside the vocabulary (vocab_size ${config.vocabSize})`
        )
      if (config.isRoberta && config.maxSequenceLength < 2)
        return fail(
          `max_position_embeddings ${config.maxPositionEmbeddings} leaves no room for tokens: RoBERTa's positions start at pad_token_id + 1 = ${config.padTokenId + 1}`
        )
      return Either.right(config)
    })
  )
}

/** The `config.json` object for a config (HF snake_case keys, `model_type` included). */
export const encodeBertConfig = (config: BertConfig): Record<string, unknown> =>
  Schema.encodeSync(BertConfig)(config) as Record<string, unknown>

/** Reads and decodes a `config.json` file. */
export const loadBertConfig = Effect.fn("BertConfig.load")(function* (file: string) {
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs
    .readFileString(file)
    .pipe(Effect.mapError((e) => new BertConfigError({ file, reason: `cannot read: ${e.message}` })))
  const json = yield* Effect.try({
    try: () => JSON.parse(text) as unknown,
    catch: (e) =>
      new BertConfigError({ file, reason: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` })
  })
  return yield* decodeBertConfig(json, file)
})
