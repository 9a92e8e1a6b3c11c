/**
 * The hostile-input corpus: files a new user, a broken disk or a hostile party could hand concner's
 * readers — data files, conlleval input, vocabularies, config.json, safetensors, whole model folders,
 * index files, dictionaries, spec.json. Each case names the reader it is for and what must happen:
 * `error` (a clear, tagged error), `ok` (a valid value) or `either` (both are right, e.g. an empty
 * file). Deterministic: `writeCorpus` writes the same bytes every time (`generate.ts` is its CLI).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Either } from "effect"
import { mulberry32 } from "../../src/data/sampling.js"
import { decodeSafetensors, encodeSafetensors } from "../../src/model/safetensors.js"

export type Reader =
  | "conll"
  | "conlleval"
  | "vocab"
  | "config"
  | "safetensors"
  | "model"
  | "index"
  | "dictionary"
  | "spec"

export interface HostileCase {
  readonly reader: Reader
  readonly name: string
  /** Files relative to the case's folder; a `model` case is a folder, every other case has `input`. */
  readonly files: Readonly<Record<string, Uint8Array>>
  readonly expect: "error" | "ok" | "either"
}

const MODEL = fileURLToPath(new URL("../fixtures/model", import.meta.url))
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, "utf8"))
const bytes = (...parts: ReadonlyArray<string | ReadonlyArray<number>>) =>
  new Uint8Array(
    Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))))
  )
const random = (seed: number, n: number) => {
  const next = mulberry32(seed)
  return new Uint8Array(Array.from({ length: n }, () => Math.floor(next() * 256)))
}
const one = (
  reader: Reader,
  name: string,
  input: Uint8Array,
  expect: HostileCase["expect"]
): HostileCase => ({
  reader,
  name,
  files: { input },
  expect
})

const CONLL = "EU B-ORG\nrejects O\nGerman B-MISC\ncall O\n\nPeter B-PER\nBlackburn I-PER\n"
const conll: Array<HostileCase> = [
  one("conll", "valid", utf8(CONLL), "ok"),
  one(
    "conll",
    "valid-crlf-bom-tabs",
    utf8(`\ufeff${CONLL.replace(/ /g, "\t").replace(/\n/g, "\r\n")}`),
    "ok"
  ),
  one("conll", "empty", utf8(""), "either"),
  one("conll", "blank-lines-only", utf8("\n\n \t\n"), "either"),
  one("conll", "docstart-only", utf8("-DOCSTART- O\n\n"), "either"),
  one("conll", "invalid-utf8-byte", bytes("EU B-ORG\nM", [0xfc], "ller B-PER\n"), "error"),
  one("conll", "overlong-utf8", bytes("a", [0xc0, 0xaf], " O\n"), "error"),
  one("conll", "utf16le-bom", new Uint8Array(Buffer.from(`\ufeff${CONLL}`, "utf16le")), "error"),
  one("conll", "encoded-surrogate", bytes("x", [0xed, 0xa0, 0x80], " O\n"), "error"),
  one("conll", "truncated-multibyte-at-eof", bytes("Z", [0xc3]), "error"),
  one("conll", "latin1", new Uint8Array(Buffer.from("Müller B-PER\n", "latin1")), "error"),
  one("conll", "one-column", utf8("EU B-ORG\nrejects\n"), "error"),
  one("conll", "unknown-prefix", utf8("Peter X-PER\n"), "error"),
  one("conll", "empty-type", utf8("Peter B-\n"), "error"),
  one("conll", "lowercase-tag", utf8("Peter b-per\n"), "error"),
  one("conll", "zero-for-O", utf8("Peter 0\n"), "error"),
  one("conll", "iobes-tag-in-iob2", utf8("Peter S-PER\n"), "error"),
  one("conll", "long-tag", utf8(`Peter X-${"P".repeat(70_000)}\n`), "error"),
  one("conll", "long-bad-line", utf8(`EU B-ORG\n${"x".repeat(300_000)}\n`), "error"),
  one("conll", "nul-bytes", bytes("a", [0], "b O\n"), "either"),
  one("conll", "random-bytes", random(1, 4096), "error"),
  one("conll", "gzip-magic", bytes([0x1f, 0x8b, 0x08, 0x00], "xx"), "error"),
  one("conll", "many-columns", utf8("Peter NNP B-NP x y z B-PER\n"), "ok"),
  one("conll", "control-chars-in-type", utf8("Peter B-P\u0001R\n"), "error")
]

const EVAL = "John B-PER B-PER\nSmith I-PER I-PER\n\nParis B-LOC O\n"
const conlleval: Array<HostileCase> = [
  one("conlleval", "valid", utf8(EVAL), "ok"),
  one("conlleval", "valid-docstart-separator", utf8(`${EVAL}-X- O O\n${EVAL}`), "ok"),
  one("conlleval", "empty", utf8(""), "either"),
  one("conlleval", "column-count-changes", utf8("John B-PER B-PER\nSmith I-PER\n"), "error"),
  one("conlleval", "one-column", utf8("John\n"), "error"),
  one("conlleval", "unknown-prefix-predicted", utf8("John B-PER X-PER\n"), "error"),
  one("conlleval", "empty-type-gold", utf8("John B- O\n"), "error"),
  one("conlleval", "bare-type", utf8("John PER PER\n"), "error"),
  one("conlleval", "invalid-utf8", bytes("J", [0xff], "hn O O\n"), "error"),
  one("conlleval", "random-bytes", random(2, 4096), "error"),
  one("conlleval", "long-line", utf8(`${"y ".repeat(200_000)}\n`), "error")
]

const VOCAB = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\n"
const vocab: Array<HostileCase> = [
  one("vocab", "valid", utf8(VOCAB), "ok"),
  one("vocab", "valid-duplicates", utf8(`${VOCAB}a\n`), "ok"),
  one("vocab", "empty", utf8(""), "error"),
  one("vocab", "newline-only", utf8("\n"), "error"),
  one("vocab", "no-unk", utf8("[PAD]\n[CLS]\n[SEP]\n"), "error"),
  one("vocab", "bom-hides-pad", utf8(`\ufeff${VOCAB}`), "error"),
  one("vocab", "invalid-utf8", bytes(VOCAB, [0xfe], "\n"), "error"),
  one("vocab", "random-bytes", random(3, 2048), "error")
]

const CONFIG = JSON.parse(readFileSync(join(MODEL, "config.json"), "utf8")) as Record<string, unknown>
const config = (name: string, change: Record<string, unknown> | string, expect: HostileCase["expect"]) =>
  one(
    "config",
    name,
    utf8(typeof change === "string" ? change : JSON.stringify({ ...CONFIG, ...change })),
    expect
  )
const configs: Array<HostileCase> = [
  config("valid", {}, "ok"),
  config("million-layers", { num_hidden_layers: 1_000_000 }, "error"),
  config("huge-float-layers", { num_hidden_layers: 1e308 }, "error"),
  config("negative-layers", { num_hidden_layers: -1 }, "error"),
  config("fractional-heads", { num_attention_heads: 2.5 }, "error"),
  config("string-size", { hidden_size: "32" }, "error"),
  config("heads-not-dividing", { num_attention_heads: 5 }, "error"),
  config("zero-vocab", { vocab_size: 0 }, "error"),
  config("huge-vocab", { vocab_size: 2 ** 40 }, "error"),
  config("huge-positions", { max_position_embeddings: 1e12 }, "error"),
  config(
    "too-many-parameters",
    { vocab_size: 1_000_000, hidden_size: 16_384, num_attention_heads: 16 },
    "error"
  ),
  config("dropout-above-one", { hidden_dropout_prob: 1.5 }, "error"),
  config("pad-outside-vocab", { pad_token_id: 55 }, "error"),
  config("labels-disagree", { num_labels: 7 }, "error"),
  config(
    "unknown-fields",
    Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`field_${i}`, i])),
    "error"
  ),
  // a supported model_type since XLM-R (a vocab.txt beside it is refused by the folder check: test/cli/hostileXlmr.test.ts)
  config("roberta", { model_type: "roberta" }, "ok"),
  config("albert", { model_type: "albert" }, "error"),
  config("not-json", "{ model_type: bert", "error"),
  config("nan-literal", '{"model_type":"bert","hidden_size":NaN}', "error"),
  config("array", "[1, 2, 3]", "error"),
  config("null", "null", "error"),
  config("empty", "", "error"),
  config("deep-nesting", `${"[".repeat(200_000)}${"]".repeat(200_000)}`, "error"),
  one("config", "invalid-utf8", bytes('{"model_type":"bert","x":"', [0xff], '"}'), "error"),
  one("config", "random-bytes", random(4, 1024), "error")
]

const FIXTURE_WEIGHTS = readFileSync(join(MODEL, "model.safetensors"))
const { tensors: fixtureTensors, metadata } = Either.getOrThrow(decodeSafetensors(FIXTURE_WEIGHTS, "fixture"))
const header = (json: string, data: Uint8Array = new Uint8Array()) => {
  const head = Buffer.from(json, "utf8")
  const length = Buffer.alloc(8)
  length.writeBigUInt64LE(BigInt(head.length))
  return new Uint8Array(Buffer.concat([length, head, data]))
}
/** A safetensors case whose header is `json` over `dataBytes` zero bytes of data. */
const stored = (name: string, json: string, dataBytes: number) =>
  one("safetensors", name, header(json, new Uint8Array(dataBytes)), "error")
const safetensors: Array<HostileCase> = [
  one("safetensors", "valid", new Uint8Array(FIXTURE_WEIGHTS), "ok"),
  one("safetensors", "empty", new Uint8Array(), "error"),
  one("safetensors", "seven-bytes", new Uint8Array(7), "error"),
  one(
    "safetensors",
    "length-past-end",
    header("{}").map((b, i) => (i === 0 ? 0xff : b)),
    "error"
  ),
  one(
    "safetensors",
    "length-u64-max",
    new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255, 123, 125]),
    "error"
  ),
  one("safetensors", "header-not-json", header("{nope"), "error"),
  one("safetensors", "header-array", header("[]"), "error"),
  one("safetensors", "header-invalid-utf8", bytes([2, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe]), "error"),
  stored("unknown-dtype", '{"t":{"dtype":"F8","shape":[1],"data_offsets":[0,1]}}', 1),
  stored("negative-shape", '{"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', 4),
  stored(
    "shape-overflow",
    '{"t":{"dtype":"F32","shape":[100000000000,100000000000],"data_offsets":[0,4]}}',
    4
  ),
  stored("offsets-past-end", '{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', 4),
  stored("offsets-backwards", '{"t":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}', 4),
  stored(
    "overlap",
    '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}',
    4
  ),
  stored(
    "duplicate-name",
    '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}',
    8
  ),
  stored("trailing-bytes", '{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 9),
  stored("missing-field", '{"t":{"dtype":"F32","data_offsets":[0,4]}}', 4),
  one(
    "safetensors",
    "truncated-file",
    new Uint8Array(FIXTURE_WEIGHTS.subarray(0, FIXTURE_WEIGHTS.length - 100)),
    "error"
  ),
  one("safetensors", "random-bytes", random(5, 4096), "error")
]

/** The fixture folder's files with `change` applied: a `model` case. */
const model = (
  name: string,
  expect: HostileCase["expect"],
  change: (files: Map<string, Uint8Array>) => void
): HostileCase => {
  const files = new Map<string, Uint8Array>()
  for (const f of ["config.json", "model.safetensors", "vocab.txt", "tokenizer_config.json"])
    files.set(f, new Uint8Array(readFileSync(join(MODEL, f))))
  change(files)
  return { reader: "model", name, files: Object.fromEntries(files), expect }
}
/** The fixture's weights with element `at` of `tensor` set to `value`, stored as `dtype`. */
const poisoned = (tensor: string, at: number, value: number, dtype: "F32" | "F16" = "F32") => {
  const floats = new Map(
    [...fixtureTensors].map(([k, t]) => [
      k,
      { shape: t.shape, data: Float32Array.from(t.data as Float32Array) }
    ])
  )
  floats.get(tensor)!.data[at] = value
  return Either.getOrThrow(encodeSafetensors(floats, metadata, dtype))
}
const models: Array<HostileCase> = [
  model("valid", "ok", () => {}),
  model("nan-weight", "error", (f) => {
    f.set("model.safetensors", poisoned("bert.encoder.layer.0.attention.self.query.weight", 17, Number.NaN))
  }),
  model("inf-weight", "error", (f) => {
    f.set("model.safetensors", poisoned("classifier.bias", 1, Number.POSITIVE_INFINITY))
  }),
  model("f16-overflow-to-inf", "error", (f) => {
    // 1e6 is past F16's largest finite value: stored as +Inf
    f.set("model.safetensors", poisoned("bert.embeddings.word_embeddings.weight", 3, 1e6, "F16"))
  }),
  model("vocab-longer-than-model", "error", (f) => {
    f.set("vocab.txt", bytes(Buffer.from(f.get("vocab.txt")!).toString("utf8"), "extra1\nextra2\n"))
  }),
  model("vocab-missing", "error", (f) => {
    f.delete("vocab.txt")
  }),
  model("weights-missing", "error", (f) => {
    f.delete("model.safetensors")
  }),
  model("config-missing", "error", (f) => {
    f.delete("config.json")
  }),
  model("config-more-layers-than-weights", "error", (f) => {
    f.set("config.json", utf8(JSON.stringify({ ...CONFIG, num_hidden_layers: 3 })))
  }),
  model("config-wider-than-weights", "error", (f) => {
    f.set("config.json", utf8(JSON.stringify({ ...CONFIG, hidden_size: 64 })))
  }),
  model("million-layers", "error", (f) => {
    f.set("config.json", utf8(JSON.stringify({ ...CONFIG, num_hidden_layers: 1_000_000 })))
  }),
  model("lowercasing-tokenizer", "error", (f) => {
    f.set("tokenizer_config.json", utf8('{"do_lower_case": true}'))
  }),
  model("tokenizer-config-not-json", "error", (f) => {
    f.set("tokenizer_config.json", utf8("{"))
  }),
  model("weights-random-bytes", "error", (f) => {
    f.set("model.safetensors", random(6, 8192))
  })
]

const index: Array<HostileCase> = [
  one("index", "valid", utf8("0\n0\n1\n"), "ok"),
  one("index", "not-integer", utf8("0\nx\n1\n"), "error"),
  one("index", "negative", utf8("0\n-5\n1\n"), "error"),
  one("index", "too-few", utf8("0\n1\n"), "error"),
  one("index", "too-many", utf8("0\n0\n1\n2\n"), "error"),
  one("index", "beyond-safe-integer", utf8("0\n0\n99999999999999999999\n"), "error"),
  one("index", "float", utf8("0\n0.5\n1\n"), "error"),
  one("index", "invalid-utf8", bytes("0\n", [0xff], "\n1\n"), "error")
]

const dictionary: Array<HostileCase> = [
  one("dictionary", "valid", utf8("house Haus\nthe der\nthe die\n"), "ok"),
  one("dictionary", "one-column", utf8("house\n"), "error"),
  one("dictionary", "three-columns", utf8("house Haus extra\n"), "either"),
  one("dictionary", "invalid-utf8", bytes("house H", [0xe4], "us\n"), "error"),
  one("dictionary", "random-bytes", random(7, 2048), "error")
]

const spec: Array<HostileCase> = [
  one("spec", "not-json", utf8("{"), "error"),
  one("spec", "no-hash", utf8('{"spec":{}}'), "error"),
  one("spec", "wrong-hash", utf8('{"sha256":"00","spec":{"method":"en"}}'), "error"),
  one("spec", "empty", utf8(""), "error"),
  one("spec", "random-bytes", random(8, 1024), "error")
]

export const hostileCases: ReadonlyArray<HostileCase> = [
  ...conll,
  ...conlleval,
  ...vocab,
  ...configs,
  ...safetensors,
  ...models,
  ...index,
  ...dictionary,
  ...spec
]

/** Writes every case under `dir/<reader>/<name>/`; returns the case folders in corpus order. */
export const writeCorpus = (
  dir: string
): ReadonlyArray<{ readonly case: HostileCase; readonly dir: string }> =>
  hostileCases.map((c) => {
    const at = join(dir, c.reader, c.name)
    for (const [file, content] of Object.entries(c.files)) {
      mkdirSync(dirname(join(at, file)), { recursive: true })
      writeFileSync(join(at, file), content)
    }
    mkdirSync(at, { recursive: true })
    return { case: c, dir: at }
  })
