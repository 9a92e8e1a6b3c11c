import { existsSync, readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { BertTokenizer } from "../../src/text/bertTokenizer.js"
import { isRemoved, splitsWords } from "../../src/text/chars.js"
import { Vocab } from "../../src/text/vocab.js"

const root = process.env.CONCNER_DATA ?? new URL("../../../shared/data", import.meta.url).pathname
// scripts and the invisible characters the data README warns about: U+FEFF (ka, ta), U+200B-D (fa), RLM (he)
const files = ["wikiann/he/test.txt", "wikiann/fa/test.txt", "wikiann/ta/test.txt", "wikiann/ka/test.txt"]
  .concat(["wikiann/zh/test.txt", "conll/de/test.txt"])
  .map((f) => `${root}/${f}`)
const present = files.every(existsSync)
if (!present) console.log(`test/text/realData: skipped, ${root} lacks ${files.filter((f) => !existsSync(f))}`)

// sentences as word lists: a line is `TOKEN TAG`, split at its last space (data README)
const readWords = (file: string): Array<Array<string>> =>
  readFileSync(file, "utf8")
    .split("\n\n")
    .filter((block) => block.trim() !== "")
    .map((block) =>
      block
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => line.slice(0, line.lastIndexOf(" ")))
    )

describe.skipIf(!present)("tokenizing real corpora", () => {
  it("covers every visible character of every word, and keeps words that have none as [UNK]", () => {
    const corpora = files.map((f) => readWords(f).slice(0, 3000)) // 3000 sentences each keep this fast
    // a character-level vocabulary: every word splits fully unless it has no visible character
    const chars = new Set<string>()
    for (const word of corpora.flat(2)) for (const c of word) chars.add(c)
    const tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", ...[...chars].flatMap((c) => [c, `##${c}`])]
    const tokenizer = new BertTokenizer(Either.getOrThrow(Vocab.make(tokens, "chars")))
    let words = 0
    let empty = 0
    const wrong: Array<string> = []
    for (const sentence of corpora.flat()) {
      const e = tokenizer.encodeWords(sentence, undefined, 100_000)
      if (e.keptWords !== sentence.length) wrong.push(`${sentence.join(" ")}: truncated`)
      const pieces = sentence.map((): Array<string> => [])
      e.wordIds.forEach((w, i) => {
        if (w >= 0) pieces[w]!.push(e.tokens[i]!)
      })
      sentence.forEach((word, w) => {
        const visible = [...word].filter((c) => !isRemoved(c) && !splitsWords(c)).join("")
        const got = pieces[w]!.map((p) => p.replace(/^##/, "")).join("")
        if (visible === "" ? got !== "[UNK]" : got !== visible)
          wrong.push(`${JSON.stringify(word)} → ${pieces[w]}`)
      })
      words += sentence.length
      empty += e.emptyWords.length
    }
    expect(wrong.slice(0, 10)).toEqual([])
    console.log(`test/text/realData: ${words} words, ${empty} without a visible character (encoded as [UNK])`)
    expect(words).toBeGreaterThan(50_000)
  })
})
