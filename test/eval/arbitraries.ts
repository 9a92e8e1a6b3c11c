/** fast-check generators shared by the eval tests. */
import { FastCheck as fc } from "effect"
import type { EvalToken } from "../../src/eval/conlleval.js"

export const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)
export const fastCheck = (seed: number) => ({ fastCheck: { numRuns, seed } })

const types = ["PER", "LOC", "ORG"] as const

/** Makes IOB2 valid: an `I-X` that does not continue an X chunk becomes `B-X`. */
const repaired = (tags: ReadonlyArray<string>): Array<string> => {
  const out = [...tags]
  for (let i = 0; i < out.length; i++) {
    const previous = i > 0 ? out[i - 1]! : "O"
    if (out[i]!.startsWith("I-") && previous.slice(2) !== out[i]!.slice(2)) out[i] = `B-${out[i]!.slice(2)}`
  }
  return out
}

const iob2Tags = (length: number, valid: boolean) =>
  fc
    .array(fc.constantFrom("O", "O", ...types.flatMap((t) => [`B-${t}`, `I-${t}`])), {
      minLength: length,
      maxLength: length
    })
    .map((tags) => (valid ? repaired(tags) : tags))

/** Sentences of paired gold/predicted IOB2 tags (valid unless `valid` is false). */
export const iob2Sentences = (valid = true) =>
  fc.array(
    fc
      .integer({ min: 0, max: 10 })
      .chain((n) => fc.tuple(iob2Tags(n, valid), iob2Tags(n, valid)))
      .map(([gold, predicted]) => ({ gold, predicted })),
    { maxLength: 8 }
  )

/** conlleval's whole tag alphabet: IOB/IOE/IOBES prefixes, brackets, `.`, untyped and odd tags. */
const anyTag = fc.constantFrom(
  "O",
  "O",
  "O",
  ...["A", "B"].flatMap((t) => ["B", "I", "E", "S", "[", "]", ".", "Z", "O"].map((p) => `${p}-${t}`)),
  "B",
  "I",
  "E",
  "Z",
  "B-0",
  "B-",
  "-A",
  "B-A-B"
)

/** Sentences of arbitrary conlleval tokens. */
export const anySentences = fc.array(
  fc.array(fc.record({ gold: anyTag, predicted: anyTag }), { maxLength: 8 }) as fc.Arbitrary<
    ReadonlyArray<EvalToken>
  >,
  { maxLength: 8 }
)
