/**
 * The target-language sets a run uses, as functions of its spec alone (so that a tool can rebuild
 * them from a recorded spec.json): D_U is `kdSentences` train sentences drawn with the seed, in
 * corpus order, all of them when the protocol names no count; the test set likewise with
 * `testSentences`. The two draws are independent of each other.
 */
import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { distillationSet, testSet } from "../../src/experiment/data.js"
import { ExperimentSpec, cpuProtocol } from "../../src/experiment/spec.js"

const spec = (seed: number, protocol: Partial<typeof cpuProtocol>) =>
  Schema.decodeUnknownSync(ExperimentSpec)({
    method: "concner",
    lang: "de",
    corpus: "conll",
    sourceSize: 10,
    seed,
    model: "/unused",
    translations: "mulda",
    mismatches: "keep",
    protocol: { ...Schema.encodeSync(ExperimentSpec.fields.protocol)(cpuProtocol), ...protocol }
  })

const sentences = Array.from({ length: 50 }, (_, i) => i)

describe("a run's target-language sets", () => {
  it("D_U: kdSentences of the train sentences, in corpus order, the same for the same seed", () => {
    const kd = distillationSet(sentences, spec(1, { kdSentences: 20 }))
    expect(kd).toHaveLength(20)
    expect([...kd].sort((a, b) => a - b)).toEqual(kd)
    expect(new Set(kd).size).toBe(20)
    expect(distillationSet(sentences, spec(1, { kdSentences: 20 }))).toEqual(kd)
    expect(distillationSet(sentences, spec(2, { kdSentences: 20 }))).not.toEqual(kd)
  })

  it("all sentences when the protocol names no count or more than there are", () => {
    expect(distillationSet(sentences, spec(1, { kdSentences: 80 }))).toEqual(sentences)
    expect(testSet(sentences, spec(1, {}))).toEqual(sentences)
  })

  it("the test subset is a different draw from D_U's", () => {
    const s = spec(3, { kdSentences: 10, testSentences: 10 })
    expect(testSet(sentences, s)).toHaveLength(10)
    expect(testSet(sentences, s)).not.toEqual(distillationSet(sentences, s))
  })
})
