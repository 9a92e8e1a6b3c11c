import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Either, FastCheck as fc } from "effect"
import { Vocab, parseVocab } from "../../src/text/vocab.js"

export const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)
export const seed = 20261126

/**
 * test/fixtures/text/vocab.txt: 96 lines. "e" (lines 29, 64) and "##a" (lines 30, 94) are listed twice on
 * purpose: as in HF, each maps to its last id.
 */
export const vocabFile = fileURLToPath(new URL("../fixtures/text/vocab.txt", import.meta.url))
export const tinyVocab = Either.getOrThrow(parseVocab(readFileSync(vocabFile), vocabFile))

/** Random small vocabularies over `alphabet` (the required specials first), for WordPiece properties. */
export const smallVocabs = (alphabet: ReadonlyArray<string>) =>
  fc
    .uniqueArray(
      fc.tuple(fc.boolean(), fc.array(fc.constantFrom(...alphabet), { minLength: 1, maxLength: 4 })),
      { maxLength: 25, selector: ([cont, cs]) => `${cont}${cs.join("")}` }
    )
    .map((entries) =>
      Either.getOrThrow(
        Vocab.make(
          [
            "[PAD]",
            "[UNK]",
            "[CLS]",
            "[SEP]",
            ...entries.map(([cont, cs]) => (cont ? "##" : "") + cs.join(""))
          ],
          "generated"
        )
      )
    )
