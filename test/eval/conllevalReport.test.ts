import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { scoreConlleval } from "../../src/eval/conlleval.js"
import { fixed2, formatReport } from "../../src/eval/conllevalReport.js"
import { fastCheck } from "./arbitraries.js"

/** C's `%.2f` by exact arithmetic: the double's exact value, rounded half to even (what glibc does). */
const referenceFixed2 = (x: number): string => {
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, x)
  const bits = view.getBigUint64(0)
  const biased = Number((bits >> 52n) & 0x7ffn)
  const fraction = bits & ((1n << 52n) - 1n)
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n)
  const exponent = (biased === 0 ? 1 : biased) - 1075 // x = mantissa * 2^exponent
  let hundredths: bigint
  if (exponent >= 0) hundredths = mantissa * 100n * (1n << BigInt(exponent))
  else {
    const denominator = 1n << BigInt(-exponent)
    const numerator = mantissa * 100n
    const q = numerator / denominator
    const twice = 2n * (numerator % denominator)
    hundredths = twice > denominator || (twice === denominator && q % 2n === 1n) ? q + 1n : q
  }
  return `${hundredths / 100n}.${String(hundredths % 100n).padStart(2, "0")}`
}

describe("report", () => {
  it("rounds exact ties to even like printf, unlike toFixed", () => {
    expect((3.125).toFixed(2)).toBe("3.13")
    expect([3.125, 3.375, 0.125, 100, 66.66666666666667, 1.005, 0].map(fixed2)).toStrictEqual([
      "3.12",
      "3.38",
      "0.12",
      "100.00",
      "66.67",
      "1.00",
      "0.00"
    ])
  })

  it.prop(
    "fixed2 equals exact round-half-even on percentages",
    [
      // multiples of 8 make exact ties (odd multiples of 1/8) likely
      fc
        .oneof(
          fc.integer({ min: 1, max: 1_000_000 }),
          fc.integer({ min: 1, max: 100 }).map((k) => 8 * k)
        )
        .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)))
    ],
    ([[correct, total]]) => {
      const percent = (100 * correct) / total
      expect(fixed2(percent)).toBe(referenceFixed2(percent))
      const f1 = (2 * percent * 37.5) / (percent + 37.5)
      expect(fixed2(f1)).toBe(referenceFixed2(f1))
    },
    fastCheck(2004)
  )

  it("prints conlleval's lines, and nothing but the header without tokens", () => {
    expect(formatReport(scoreConlleval([]))).toBe(
      "processed 0 tokens with 0 phrases; found: 0 phrases; correct: 0.\n"
    )
    const report = formatReport(
      scoreConlleval([
        [
          { gold: "B-PER", predicted: "B-PER" },
          { gold: "O", predicted: "B-LOC" }
        ]
      ])
    )
    expect(report).toBe(
      [
        "processed 2 tokens with 1 phrases; found: 2 phrases; correct: 1.",
        "accuracy:  50.00%; precision:  50.00%; recall: 100.00%; FB1:  66.67",
        "              LOC: precision:   0.00%; recall:   0.00%; FB1:   0.00  1",
        "              PER: precision: 100.00%; recall: 100.00%; FB1: 100.00  1",
        ""
      ].join("\n")
    )
  })
})
