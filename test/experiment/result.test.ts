import { describe, expect, it } from "vitest"
import { RunResult, formatResults } from "../../src/experiment/result.js"

const result = (method: string, f1: number, student?: number) => {
  const stage = (x: number) => ({
    dev: { f1: 40, step: 25 },
    test: { f1: x, precision: x + 1, recall: x - 1, byType: {} },
    steps: 100,
    unpredictedTestWords: 0
  })
  return RunResult.make({
    method,
    lang: "de",
    corpus: "conll",
    sourceSize: 1000,
    seed: 1,
    protocol: "cpu",
    model: "models/concner-small",
    ...stage(f1),
    ...(student === undefined ? {} : { student: stage(student) }),
    testSentences: 3007,
    missingTranslations: 0,
    seconds: 10
  })
}

describe("formatResults", () => {
  it("prints one aligned row per run within 80 columns, the student's F1 beside its teacher's", () => {
    const lines = formatResults([result("en", 7.8), result("concner", 15.35, 11.65)]).split("\n")
    expect(lines[0]).toBe("Test F1 on CoNLL de (1000 English sentences, seed 1, model models/concner-small)")
    expect(lines[1]).toBe("| method   | teacher F1 | student F1 | teacher P | teacher R | teacher dev F1 |")
    expect(lines[3]).toBe("| en       |       7.80 |          - |      8.80 |      6.80 |          40.00 |")
    expect(lines[4]).toBe("| concner  |      15.35 |      11.65 |     16.35 |     14.35 |          40.00 |")
    expect(new Set(lines.slice(1).map((l) => l.length)).size).toBe(1)
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80)
  })

  it("names the in-language ceiling's sentences as the target's gold ones", () => {
    expect(formatResults([result("tgt", 24.6)]).split("\n")[0]).toBe(
      "Test F1 on CoNLL de (1000 gold de sentences, seed 1, model models/concner-small)"
    )
  })
})
