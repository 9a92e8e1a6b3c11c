import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { selectAlphabet } from "../../src/text/alphabet.js"
import { Vocab } from "../../src/text/vocab.js"
import {
  InvalidVocabOption,
  TRAINED_SPECIAL_TOKENS,
  type TrainedWordPiece,
  type VocabScoring,
  VocabSizeTooSmall,
  type WordPieceTrainOptions,
  trainWordPiece
} from "../../src/text/vocabTrain.js"
import { countWords } from "../../src/text/wordCounts.js"
import { wordPiece } from "../../src/text/wordpiece.js"
import { numRuns, seed } from "./fixture.js"

const train = (words: ReadonlyMap<string, number>, options: WordPieceTrainOptions): TrainedWordPiece =>
  Either.getOrThrow(trainWordPiece(words, options))

/** WordPiece's pieces of `word` joined back, `##` stripped; undefined when it is `[UNK]`. */
const roundTrip = (word: string, vocab: Vocab): string | undefined => {
  const split = wordPiece([...word], vocab)
  if (split._tag === "Unknown") return undefined
  return split.pieces.map((p) => (p.start > 0 ? p.token.slice(2) : p.token)).join("")
}

// the HF course's WordPiece corpus ("WordPiece tokenization", chapter 6)
const course = new Map([
  ["hug", 10],
  ["pug", 5],
  ["pun", 12],
  ["bun", 4],
  ["hugs", 5]
])
const exact = { minPairCount: 1, minCharCount: 1, coverage: 1 }

describe("trainWordPiece: hand-checked merges", () => {
  it("likelihood: merges by count(ab)/(count(a)·count(b)), ties to the higher pair count", () => {
    const { merges, tokens } = train(course, { size: 25, ...exact, scoring: "likelihood" })
    // counts: h 15, p 17, b 4; ##u 36, ##g 20, ##n 16, ##s 5
    // 1. ##g ##s: 5 / (20·5) = 0.05, above every ##u pair, e.g. ##u ##g 20 / (36·20) = 1/36
    // 2. now ##g 15, ##gs 5: h ##u 15/(15·36), ##u ##g 15/(36·15), p ##u 17/(17·36), ##u ##n 16/(36·16),
    //    b ##u 4/(4·36), ##u ##gs 5/(36·5) all tie at 1/36: the highest count, p ##u (17), wins
    // 3. ##u 19: h ##u 15/(15·19), b ##u 4/(4·19), ##u ##gs 5/(19·5) tie at 1/19 > ##u ##g 10/(19·15):
    //    h ##u (15)
    // 4. ##u 4 (only in b ##u ##n): b ##u 4/(4·4) = 0.25
    expect(merges.slice(0, 4).map((m) => [m.left, m.right, m.token, m.count])).toEqual([
      ["##g", "##s", "##gs", 5],
      ["p", "##u", "pu", 17],
      ["h", "##u", "hu", 15],
      ["b", "##u", "bu", 4]
    ])
    expect(merges.slice(0, 4).map((m) => m.score)).toEqual([0.05, 1 / 36, 1 / 19, 0.25])
    expect(tokens.slice(5, 19)).toEqual([
      ..."ugpnhsb", // characters by count (u 36, g 20, p 17, n 16, h 15, s 5, b 4)
      ..."ugpnhsb".split("").map((c) => `##${c}`)
    ])
  })

  it("frequency: merges by count(ab), as HF tokenizers' WordPieceTrainer", () => {
    const { merges } = train(course, { size: 25, ...exact, scoring: "frequency" })
    // ##u ##g 20 > p ##u 17 > ##u ##n 16 > h ##u 15; then ##u ##n 16 (pun, bun) > h ##ug 15
    expect(merges.slice(0, 2).map((m) => [m.token, m.count])).toEqual([
      ["##ug", 20],
      ["##un", 16]
    ])
  })
})

describe("trainWordPiece: vocabulary shape", () => {
  it("puts the special tokens first, with ids Vocab and BertConfig (pad_token_id 0) expect", () => {
    const { tokens } = train(course, { size: 20, ...exact })
    expect(tokens.slice(0, 5)).toEqual([...TRAINED_SPECIAL_TOKENS])
    const vocab = Either.getOrThrow(Vocab.make(tokens, "v.txt"))
    expect([vocab.padId, vocab.unkId, vocab.clsId, vocab.sepId, vocab.id("[MASK]")]).toEqual([0, 1, 2, 3, 4])
  })

  it("gives punctuation and CJK ideographs no ## form: the basic tokenizer always isolates them", () => {
    const words = countWords([["Köln, 中国 ok!", 3]])
    const { tokens } = train(words, { size: 100, ...exact })
    for (const c of ["K", "ö", "o", "k", ",", "!", "中", "国"]) expect(tokens).toContain(c)
    for (const c of ["ö", "l", "n", "k"]) expect(tokens).toContain(`##${c}`)
    for (const c of [",", "!", "中", "国"]) expect(tokens).not.toContain(`##${c}`)
  })

  it("fails with the size it needs when the characters alone do not fit", () => {
    const result = trainWordPiece(course, { size: 10, ...exact })
    // 5 specials + 7 characters + 7 ## characters
    expect(result).toStrictEqual(Either.left(new VocabSizeTooSmall({ size: 10, needed: 19, characters: 7 })))
    expect(Either.isLeft(result) && result.left.message).toMatch(/--size 10: .* need 19 tokens/)
  })

  it("rejects options outside their range", () => {
    expect(trainWordPiece(course, { size: 100, coverage: 0 })).toStrictEqual(
      Either.left(new InvalidVocabOption({ option: "coverage", value: 0, reason: "must be in (0, 1]" }))
    )
    expect(Either.isLeft(trainWordPiece(course, { size: 100, minPairCount: 0 }))).toBe(true)
    expect(Either.isLeft(trainWordPiece(course, { size: 2.5 }))).toBe(true)
  })
})

describe("the character floor", () => {
  it("keeps a rare script's characters however small its share, and drops a big script's tail", () => {
    const counts = new Map<string, number>([
      ["a", 100_000],
      ["b", 50_000],
      ["q", 3], // 3 of 150,003 Latin occurrences: below 1 - 0.9999
      ["က", 2], // Myanmar: its own script, fully covered
      ["ခ", 1]
    ])
    const alphabet = selectAlphabet(counts, { coverage: 0.9999, minCharCount: 1_000 })
    expect(alphabet.kept).toEqual(["a", "b", "က", "ခ"])
    expect(alphabet.dropped).toEqual([["q", 3]])
    expect(alphabet.scripts.find((s) => s.script === "Myanmar")).toEqual({
      script: "Myanmar",
      chars: 2,
      keptChars: 2,
      occurrences: 3,
      keptOccurrences: 3
    })
    // seen often enough, a character is kept whatever its script's coverage
    expect(selectAlphabet(counts, { coverage: 0.9999, minCharCount: 3 }).kept).toContain("q")
  })

  it("leaves words holding a dropped character out of the merges, and counts them", () => {
    const words = new Map([
      ["aab", 1000],
      ["aq", 1]
    ])
    const trained = train(words, { size: 50, coverage: 0.99, minCharCount: 2, minPairCount: 1 })
    expect(trained.alphabet.dropped).toEqual([["q", 1]])
    expect(trained.words).toEqual({ unique: 2, uncovered: 1, uncoveredCount: 1, tooLong: 0 })
    expect(trained.tokens).not.toContain("aq")
  })
})

// words over several scripts: Latin with an accent, Cyrillic, Devanagari with a combining sign, Hangul,
// plus punctuation and CJK, which the basic tokenizer isolates
const letter = fc.constantFrom(..."aabbcdeéнаякगमा\u094d한글")
const word = fc.array(letter, { minLength: 1, maxLength: 8 }).map((cs) => cs.join(""))
const text = fc
  .array(fc.oneof(word, word, fc.constantFrom(",", "中", "!")), { minLength: 1, maxLength: 6 })
  .map((ws) => ws.join(" "))
const corpus = fc.array(fc.tuple(text, fc.integer({ min: 1, max: 5 })), { minLength: 1, maxLength: 25 })
const scoring = fc.constantFrom<VocabScoring>("likelihood", "frequency")

/**
 * The same algorithm without incremental updates: every step recounts all pairs and tokens and
 * compares scores as exact fractions. All characters are kept (coverage 1).
 */
const naiveTrain = (
  words: ReadonlyMap<string, number>,
  size: number,
  scoring: VocabScoring
): Array<readonly [string, number]> => {
  const splits = [...words].map(([w, n]) => [[...w].map((c, i) => (i === 0 ? c : `##${c}`)), n] as const)
  const vocab = new Set(train(words, { size: 10_000, ...exact, scoring, minPairCount: 10 ** 9 }).tokens)
  const merges: Array<readonly [string, number]> = []
  while (vocab.size < size) {
    const tokenCounts = new Map<string, number>()
    const pairs = new Map<string, { left: string; right: string; count: number }>()
    for (const [pieces, n] of splits) {
      for (const t of pieces) tokenCounts.set(t, (tokenCounts.get(t) ?? 0) + n)
      for (let i = 0; i + 1 < pieces.length; i++) {
        const key = `${pieces[i]}\u0000${pieces[i + 1]}`
        const pair = pairs.get(key) ?? { left: pieces[i]!, right: pieces[i + 1]!, count: 0 }
        pair.count += n
        pairs.set(key, pair)
      }
    }
    const score = (p: { left: string; right: string; count: number }) =>
      scoring === "frequency"
        ? [BigInt(p.count), 1n]
        : [BigInt(p.count), BigInt(tokenCounts.get(p.left)!) * BigInt(tokenCounts.get(p.right)!)]
    let best: { left: string; right: string; count: number } | undefined
    for (const p of pairs.values()) {
      if (best === undefined) {
        best = p
        continue
      }
      const [pn, pd] = score(p)
      const [bn, bd] = score(best)
      const order = pn! * bd! - bn! * pd!
      if (
        order > 0n ||
        (order === 0n &&
          (p.count > best.count ||
            (p.count === best.count &&
              (p.left < best.left || (p.left === best.left && p.right < best.right)))))
      )
        best = p
    }
    if (best === undefined) break
    const token = best.left + best.right.slice(2)
    merges.push([token, best.count])
    vocab.add(token)
    for (const [pieces] of splits)
      for (let i = 0; i + 1 < pieces.length; i++)
        if (pieces[i] === best.left && pieces[i + 1] === best.right) pieces.splice(i, 2, token)
  }
  return merges
}

describe("trainWordPiece: properties", () => {
  it.prop(
    "agrees with a naive trainer that recounts everything at every merge",
    // large counts make count(ab)·count(a)·count(b) exceed 2^53: the exact comparison's BigInt path
    [corpus, fc.integer({ min: 0, max: 40 }), scoring, fc.constantFrom(1, 1_000_003)],
    ([texts, extra, scoring, scale]) => {
      const words = countWords(texts.map(([t, n]) => [t, n * scale] as const))
      const base = train(words, { size: 10_000, ...exact, scoring, minPairCount: 10 ** 9 }).tokens.length
      const trained = train(words, { size: base + extra, ...exact, scoring })
      expect(trained.merges.map((m) => [m.token, m.count])).toEqual(naiveTrain(words, base + extra, scoring))
    },
    { fastCheck: { numRuns, seed } }
  )

  it.prop(
    "round-trips every training word of covered characters, without [UNK], within the size",
    [corpus, fc.integer({ min: 0, max: 60 }), scoring, fc.integer({ min: 1, max: 3 })],
    ([texts, extra, scoring, minCharCount]) => {
      const words = countWords(texts)
      const floor = train(words, { size: 1000, coverage: 1, minCharCount: 1 }).alphabet
      const size = TRAINED_SPECIAL_TOKENS.length + 2 * floor.kept.length + extra
      const trained = train(words, { size, coverage: 0.5, minCharCount, minPairCount: 1, scoring })
      expect(trained.tokens.length).toBeLessThanOrEqual(size)
      expect(new Set(trained.tokens).size).toBe(trained.tokens.length)
      const vocab = Either.getOrThrow(Vocab.make(trained.tokens, "v.txt"))
      const kept = new Set(trained.alphabet.kept)
      for (const w of words.keys()) {
        if ([...w].every((c) => kept.has(c))) expect(roundTrip(w, vocab)).toBe(w)
        else expect(roundTrip(w, vocab)).toBeUndefined()
      }
    },
    { fastCheck: { numRuns, seed } }
  )

  it.prop(
    "is deterministic: the same words in another order give the same vocabulary",
    [corpus, fc.integer({ min: 0, max: 40 }), scoring],
    ([texts, extra, scoring]) => {
      const words = countWords(texts)
      const reversed = new Map([...words].reverse())
      const options = { size: 5 + 2 * 40 + extra, ...exact, scoring }
      expect(train(reversed, options).tokens).toEqual(train(words, options).tokens)
      expect(train(words, options).tokens).toEqual(train(words, options).tokens)
    },
    { fastCheck: { numRuns, seed } }
  )

  it.prop(
    "reaches the size exactly while pairs remain",
    [corpus, scoring],
    ([texts, scoring]) => {
      const words = countWords(texts)
      const all = train(words, { size: 10_000, ...exact, scoring })
      const alphabetEnd =
        all.merges.length === 0 ? all.tokens.length : all.tokens.indexOf(all.merges[0]!.token)
      for (const size of [alphabetEnd, Math.floor((alphabetEnd + all.tokens.length) / 2), all.tokens.length])
        expect(train(words, { size, ...exact, scoring }).tokens).toEqual(all.tokens.slice(0, size))
    },
    { fastCheck: { numRuns: Math.max(10, Math.floor(numRuns / 4)), seed } }
  )
})
