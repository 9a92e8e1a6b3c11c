/**
 * `concner model init --config FILE --vocab FILE --out DIR [--seed N] [--labels PER,LOC,…]`: writes a
 * randomly initialised `BertForTokenClassification` checkpoint (HF `_init_weights`, seeded) that
 * `concner` and `transformers` both load — for tests, and as the start of pretraining.
 */
import { Command, Options } from "@effect/cli"
import { Console, Data, Effect, Option } from "effect"
import { saveCheckpoint } from "../model/checkpoint.js"
import { loadBertConfig } from "../model/config.js"
import { countParams, initParams, scopedParams } from "../model/params.js"
import { backendChoices } from "../runtime/TensorRuntime.js"
import { TensorRuntime } from "../runtime/TensorRuntime.js"
import { loadVocab } from "../text/vocab.js"

export class ModelInitError extends Data.TaggedError("ModelInitError")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: ${this.reason}`
  }
}

const TAG_PREFIX = /^([BIESO]|[BIES]-.*)$/

/** IOB2 tags for entity types: `O`, then `B-T`, `I-T` per type, in the order given. */
export const iob2Labels = (types: ReadonlyArray<string>): ReadonlyArray<string> => [
  "O",
  ...types.flatMap((t) => [`B-${t}`, `I-${t}`])
]

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
const out = Options.directory("out").pipe(Options.withDescription("folder to write the checkpoint to"))
const seed = Options.integer("seed").pipe(
  Options.withDefault(0),
  Options.withDescription("initialisation seed")
)
const labels = Options.text("labels").pipe(
  Options.optional,
  Options.withDescription(
    "entity types, comma-separated; the head gets IOB2 tags O, B-T, I-T (default: config.json's id2label)"
  )
)
const backend = Options.choice("backend", backendChoices).pipe(
  Options.optional,
  Options.withDescription("tensor backend (default: CONCNER_BACKEND, else the fastest available)")
)

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
    const tags = Option.isSome(flags.labels) ? iob2Labels(yield* parseTypes(flags.labels.value)) : bert.labels
    if (tags === undefined)
      return yield* new ModelInitError({ file: flags.config, reason: "no id2label: pass --labels PER,LOC,…" })
    const params = yield* scopedParams(() => initParams(bert, tags.length, flags.seed))
    yield* saveCheckpoint(flags.out, { config: bert, labels: tags, params, vocab: words.tokens })
    yield* Console.log(
      `${flags.out}: ${countParams(params)} parameters, ${tags.length} labels (${tags.join(" ")}), seed ${flags.seed}`
    )
  }).pipe(
    Effect.scoped,
    Effect.provide(TensorRuntime.layer(Option.isSome(flags.backend) ? { backend: flags.backend.value } : {}))
  )
).pipe(Command.withDescription("Write a randomly initialised BERT token-classification checkpoint"))

export const modelCommand = Command.make("model").pipe(
  Command.withDescription("Create and inspect BERT checkpoints"),
  Command.withSubcommands([init])
)
