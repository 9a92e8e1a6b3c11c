/**
 * `concner model init --config FILE --vocab FILE --out DIR [--seed N] [--labels PER,LOC,…]`: writes a
 * randomly initialised `BertForTokenClassification` checkpoint (HF `_init_weights`, seeded) that
 * `concner` and `transformers` both load — for tests, and as the start of pretraining.
 */
import { Command, Options } from "@effect/cli"
import { Console, Data, Effect, Layer, Option } from "effect"
import { Corpora, labelSet } from "../data/index.js"
import {
  convertCheckpoint,
  countParams,
  initParams,
  loadBertConfig,
  loadModelFolder,
  saveCheckpoint,
  scopedParams,
  trimModel
} from "../model/index.js"
import { TensorRuntime } from "../runtime/index.js"
import { loadVocab, trimVocabulary } from "../text/index.js"
import { describe } from "./commands.js"
import {
  backendOption,
  dataOption,
  defaultTo,
  modelOption,
  outOption,
  runtimeLayer,
  seedOption
} from "./common.js"

export class ModelInitError extends Data.TaggedError("ModelInitError")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: ${this.reason}`
  }
}

const TAG_PREFIX = /^([BIESO]|[BIES]-.*)$/

const parseTypes = (raw: string): Effect.Effect<ReadonlyArray<string>, ModelInitError> => {
  const types = raw.split(",").map((t) => t.trim())
  const fail = (reason: string) => Effect.fail(new ModelInitError({ file: "--labels", reason }))
  if (types.some((t) => t === "")) return fail(`empty entity type in ${JSON.stringify(raw)}`)
  const tag = types.find((t) => TAG_PREFIX.test(t))
  if (tag !== undefined)
    return fail(`${JSON.stringify(tag)} is a tag; give entity types (PER,LOC,…), tags are derived`)
  if (new Set(types).size !== types.length) return fail(`duplicate entity type in ${JSON.stringify(raw)}`)
  return Effect.succeed(types)
}

const config = Options.file("config", { exists: "yes" }).pipe(
  Options.withDescription("HF BERT config.json (model_type bert; its vocab_size must match --vocab)")
)
const vocab = Options.file("vocab", { exists: "yes" }).pipe(Options.withDescription("WordPiece vocab.txt"))
const out = outOption.pipe(Options.withDescription("folder to write the checkpoint to"))
const seed = seedOption.pipe(defaultTo(0), Options.withDescription("initialisation seed"))
const labels = Options.text("labels").pipe(
  Options.optional,
  Options.withDescription(
    "entity types, comma-separated; the head gets IOB2 tags O, B-T, I-T (default: config.json's id2label)"
  )
)
const data = dataOption
const backend = backendOption

const init = Command.make("init", { config, vocab, out, seed, labels, backend }, (flags) =>
  Effect.gen(function* () {
    const bert = yield* loadBertConfig(flags.config)
    const words = yield* loadVocab(flags.vocab)
    if (words.size !== bert.vocabSize)
      return yield* new ModelInitError({
        file: flags.config,
        reason: `vocab_size ${bert.vocabSize} differs from the ${words.size} tokens of ${flags.vocab}`
      })
    if (words.padId !== bert.padTokenId)
      return yield* new ModelInitError({
        file: flags.config,
        reason: `pad_token_id ${bert.padTokenId} is not [PAD]'s id ${words.padId} in ${flags.vocab}`
      })
    const tags = Option.isSome(flags.labels)
      ? labelSet(yield* parseTypes(flags.labels.value)).tags
      : bert.labels
    if (tags === undefined)
      return yield* new ModelInitError({ file: flags.config, reason: "no id2label: pass --labels PER,LOC,…" })
    const params = yield* scopedParams(() => initParams(bert, tags.length, flags.seed))
    yield* saveCheckpoint(flags.out, { config: bert, labels: tags, params, vocab: words.tokens })
    yield* Console.log(
      `${flags.out}: ${countParams(params)} parameters, ${tags.length} labels (${tags.join(" ")}), seed ${flags.seed}`
    )
  }).pipe(Effect.scoped, Effect.provide(runtimeLayer(flags.backend)))
).pipe(Command.withDescription("Write a randomly initialised BERT token-classification checkpoint"))

const model = modelOption.pipe(Options.withDescription("HF-layout BERT folder"))
const dataset = Options.text("dataset").pipe(
  Options.repeated,
  Options.withDescription("corpus/lang (e.g. conll/de, wikiann/ar): all its splits are kept")
)
const withTranslations = Options.boolean("translations").pipe(
  Options.withDescription("also keep the subwords of the labeled translations into the CoNLL languages given")
)
const keepChars = Options.boolean("keep-single-characters").pipe(
  Options.withDescription(
    "also keep every single-character subword (other text then falls back to characters)"
  )
)

const parseDataset = (spec: string) => {
  const [corpus, lang, ...rest] = spec.split("/")
  return (corpus === "conll" || corpus === "wikiann") &&
    lang !== undefined &&
    lang !== "" &&
    rest.length === 0
    ? Effect.succeed({ corpus, lang } as const)
    : Effect.fail(
        new ModelInitError({
          file: "--dataset",
          reason: `${JSON.stringify(spec)} is not corpus/lang (conll/de, wikiann/ar)`
        })
      )
}

const trim = Command.make("trim", { model, dataset, withTranslations, keepChars, out, data }, (flags) =>
  Effect.gen(function* () {
    const corpora = yield* Corpora
    const sets = yield* Effect.forEach(flags.dataset, parseDataset)
    const sentences: Array<ReadonlyArray<ReadonlyArray<string>>> = []
    for (const set of sets) {
      for (const split of ["train", "dev", "test"] as const)
        sentences.push((yield* corpora.load({ ...set, split })).sentences.map((s) => s.tokens))
      if (flags.withTranslations && set.corpus === "conll" && set.lang !== "en")
        for (const system of ["mulda", "deepl-awesome"] as const)
          sentences.push(
            (yield* corpora.translations({ system, lang: set.lang }, "keep")).sentences.map((s) => s.tokens)
          )
    }
    const loaded = yield* loadModelFolder(flags.model)
    const tokenizer = loaded.tokenizer
    if (tokenizer.kind !== "wordpiece")
      return yield* new ModelInitError({
        file: flags.model,
        reason:
          "model trim shrinks WordPiece vocabularies only; a SentencePiece model (XLM-R) keeps its vocabulary (see the README's XLM-R section)"
      })
    const trimmed = trimVocabulary(tokenizer.vocab, sentences, { keepSingleCharacters: flags.keepChars })
    const smaller = yield* trimModel(loaded.params, loaded.config, trimmed)
    const labels = loaded.config.labels
    yield* saveCheckpoint(flags.out, {
      config: smaller.config,
      params: smaller.params,
      vocab: trimmed.vocab.tokens,
      ...(labels !== undefined ? { labels } : {})
    })
    yield* Console.log(
      `${flags.out}: ${trimmed.vocab.size} of ${tokenizer.vocab.size} subwords kept, ${countParams(smaller.params)} parameters (was ${countParams(loaded.params)})`
    )
  }).pipe(
    Effect.scoped,
    Effect.provide(Layer.mergeAll(Corpora.at(Option.getOrUndefined(flags.data)), TensorRuntime.layer({})))
  )
).pipe(Command.withDescription("Shrink a checkpoint's vocabulary to the subwords the given corpora use"))

const dtype = Options.choice("dtype", ["F16", "F32"] as const).pipe(
  Options.withDescription("storage dtype of the weights (F16 halves the file; loading widens to f32)")
)

const convert = Command.make("convert", { model, out, dtype }, (flags) =>
  Effect.gen(function* () {
    const { tensors, bytes } = yield* convertCheckpoint(flags.model, flags.out, flags.dtype)
    yield* Console.log(
      `${flags.out}: ${tensors} tensors as ${flags.dtype}, ${(bytes / 2 ** 20).toFixed(1)} MiB`
    )
  })
).pipe(Command.withDescription("Store a checkpoint's weights as F16 or F32 (other files are copied)"))

export const modelCommand = Command.make("model").pipe(
  Command.withDescription(describe("model")),
  Command.withSubcommands([init, trim, convert])
)
