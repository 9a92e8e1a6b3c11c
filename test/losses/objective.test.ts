import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { tokenCrossEntropy } from "../../src/losses/crossEntropy.js"
import { distillationMse } from "../../src/losses/distillation.js"
import { ObjectiveInputError } from "../../src/losses/errors.js"
import { labelContrastiveLoss } from "../../src/losses/lcl.js"
import {
  Objective,
  type ObjectiveInputs,
  ObjectiveSpec,
  evaluateObjective,
  paperObjectives
} from "../../src/losses/objective.js"
import { translationContrastiveLoss } from "../../src/losses/tcl.js"
import { tf } from "../../src/runtime/tf.js"
import { setupLossTests } from "./support.js"

setupLossTests()

/** A batch of N = 2 sentence pairs, T = 3, C = 3 tags, d = 4. */
const makeInputs = (): ObjectiveInputs => ({
  source: {
    logits: tf.randomNormal([2, 3, 3], 0, 1, "float32", 1) as tf.Tensor3D,
    labels: tf.tensor2d(
      [
        [0, 1, -100],
        [2, -100, -100]
      ],
      undefined,
      "int32"
    )
  },
  translation: {
    logits: tf.randomNormal([2, 3, 3], 0, 1, "float32", 2) as tf.Tensor3D,
    labels: tf.tensor2d(
      [
        [0, 1, 1],
        [2, 0, -100]
      ],
      undefined,
      "int32"
    )
  },
  lcl: {
    vectors: tf.randomNormal([8, 4], 0, 1, "float32", 3) as tf.Tensor2D,
    labels: tf.tensor1d([0, 1, 2, 0, 1, 1, 2, 0], "int32"),
    tagTypes: [0, 1, 1]
  },
  tcl: { vectors: tf.randomNormal([4, 4], 0, 1, "float32", 4) as tf.Tensor2D },
  kd: {
    studentProbs: tf.softmax(tf.randomNormal([2, 3, 3], 0, 1, "float32", 5)) as tf.Tensor3D,
    teacherProbs: tf.softmax(tf.randomNormal([2, 3, 3], 0, 1, "float32", 6)) as tf.Tensor3D,
    mask: tf.tensor2d([
      [1, 1, 0],
      [1, 0, 0]
    ])
  }
})
const disposeInputs = (i: ObjectiveInputs) =>
  tf.dispose(Object.values(i).flatMap((part) => Object.values(part ?? {})))
const scalar = (t: tf.Tensor | undefined) => t!.dataSync()[0]!

describe("Objective values", () => {
  it("holds every Table 4 and Table 5 variant", () => {
    const table5 = ["en", "trans", "en-trans", "en-lcl", "trans-lcl", "en-trans-lcl", "en-trans-lcl-tcl"]
    const table4 = ["concner", "concner-no-kd", "concner-no-tcl", "concner-no-lcl", "concner-no-cl"]
    const baselines = ["en", "en-kd", "mulda"]
    const ceiling = ["tgt"]
    expect(Object.keys(paperObjectives).sort()).toEqual(
      [...new Set([...table5, ...table4, ...baselines, ...ceiling])].sort()
    )
    for (const name of table5)
      expect(paperObjectives[name as keyof typeof paperObjectives].hasKdStage).toBe(false)
  })

  it("states ConCNER's eq. 8 weights (α = 0.5 split over both halves, β = 0.25) and its data needs", () => {
    const c = paperObjectives.concner
    expect(c.weights).toEqual({ ceSource: 0.25, ceTranslation: 0.25, lcl: 0.25, tcl: 0.25, kd: 1 })
    expect([c.lclTemperature, c.tclTemperature, c.kdLoss]).toEqual([0.1, 0.1, "mse"])
    expect(c.needs).toEqual({ source: true, translations: true, unlabeledTarget: true, inLanguage: false })
    expect(paperObjectives["concner-no-tcl"].weights).toMatchObject({
      ceSource: 0.25,
      ceTranslation: 0.25,
      lcl: 0.5,
      tcl: 0
    })
    expect(paperObjectives["concner-no-lcl"].weights).toMatchObject({
      ceSource: 0.25,
      ceTranslation: 0.25,
      lcl: 0,
      tcl: 0.5
    })
    expect(paperObjectives.en.needs).toEqual({
      source: true,
      translations: false,
      unlabeledTarget: false,
      inLanguage: false
    })
    // the in-language ceiling: En's objective on the target's own gold sentences
    expect(paperObjectives.tgt.weights).toEqual(paperObjectives.en.weights)
    expect(paperObjectives.tgt.needs).toEqual({
      source: true,
      translations: false,
      unlabeledTarget: false,
      inLanguage: true
    })
    expect(paperObjectives["trans-lcl"].needs).toEqual({
      source: false,
      translations: true,
      unlabeledTarget: false,
      inLanguage: false
    })
    expect(paperObjectives["en-kd"].needs).toEqual({
      source: true,
      translations: false,
      unlabeledTarget: true,
      inLanguage: false
    })
  })

  it("decodes from a spec: a paper name or a full object with defaults; rejects bad ones", () => {
    const decode = Schema.decodeUnknownEither(ObjectiveSpec)
    expect(decode("concner")).toEqual(Either.right(paperObjectives.concner))
    const custom = Schema.decodeUnknownSync(ObjectiveSpec)({
      name: "lcl-by-type",
      weights: { ceSource: 0.5, ceTranslation: 0.5, lcl: 0.3, tcl: 0, kd: 0 },
      lclRelatedWeight: 1
    })
    expect(custom).toBeInstanceOf(Objective)
    expect([custom.lclTemperature, custom.kdLoss, custom.lclRelatedWeight]).toEqual([0.1, "mse", 1])
    const bad = [
      "concner-typo",
      { name: "x", weights: { ceSource: -1, ceTranslation: 0, lcl: 0, tcl: 0, kd: 0 } },
      { name: "x", weights: { ceSource: 0, ceTranslation: 0, lcl: 0, tcl: 0, kd: 1 } },
      { name: "x", weights: { ceSource: 0, ceTranslation: 0, lcl: 1, tcl: 0, kd: 0 } },
      { name: "x", weights: { ceSource: 1, ceTranslation: 0, lcl: 0, tcl: 0, kd: 0 }, lclTemperature: 0 },
      // in-language: no translations, no distillation
      { name: "x", weights: { ceSource: 1, ceTranslation: 0, lcl: 0, tcl: 0, kd: 1 }, inLanguage: true },
      { name: "x", weights: { ceSource: 1, ceTranslation: 1, lcl: 0, tcl: 0, kd: 0 }, inLanguage: true }
    ]
    for (const spec of bad) expect(Either.isLeft(decode(spec))).toBe(true)
    expect(Schema.encodeSync(Objective)(paperObjectives["en-lcl"])).toEqual({
      name: "en-lcl",
      weights: { ceSource: 0.5, ceTranslation: 0, lcl: 0.5, tcl: 0, kd: 0 },
      lclTemperature: 0.1,
      tclTemperature: 0.1,
      kdLoss: "mse"
    })
  })
})

describe("evaluateObjective", () => {
  it("total = Σ weight · term, each term equal to its loss function", () => {
    const inputs = makeInputs()
    const { total, terms } = evaluateObjective(paperObjectives.concner, inputs)
    const ce = [
      tokenCrossEntropy(inputs.source!.logits, inputs.source!.labels),
      tokenCrossEntropy(inputs.translation!.logits, inputs.translation!.labels)
    ]
    const lcl = labelContrastiveLoss(inputs.lcl!.vectors, inputs.lcl!.labels)
    const tcl = translationContrastiveLoss(inputs.tcl!.vectors)
    expect(Object.keys(terms).sort()).toEqual(["ceSource", "ceTranslation", "lcl", "tcl"])
    expect(scalar(terms.ceSource)).toBeCloseTo(scalar(ce[0]), 6)
    expect(scalar(terms.ceTranslation)).toBeCloseTo(scalar(ce[1]), 6)
    expect(scalar(terms.lcl)).toBeCloseTo(scalar(lcl), 6)
    expect(scalar(terms.tcl)).toBeCloseTo(scalar(tcl), 6)
    expect(scalar(total)).toBeCloseTo(0.25 * (scalar(ce[0]) + scalar(ce[1]) + scalar(lcl) + scalar(tcl)), 6)

    const student = evaluateObjective(paperObjectives.concner, inputs, "student")
    const mse = distillationMse(inputs.kd!.studentProbs, inputs.kd!.teacherProbs, inputs.kd!.mask)
    expect(Object.keys(student.terms)).toEqual(["kd"])
    expect(scalar(student.total)).toBeCloseTo(scalar(mse), 6)
    tf.dispose([total, ...Object.values(terms), ...ce, lcl, tcl, mse, student.total, student.terms.kd!])
    disposeInputs(inputs)
  })

  it("computes no term of weight 0, and leaks only its results", () => {
    const inputs = makeInputs()
    const before = tf.memory().numTensors
    const en = evaluateObjective(paperObjectives.en, { source: inputs.source! })
    expect(Object.keys(en.terms)).toEqual(["ceSource"])
    expect(tf.memory().numTensors).toBe(before + 2)
    tf.dispose([en.total, en.terms.ceSource!])
    const all = evaluateObjective(paperObjectives["en-trans-lcl-tcl"], inputs)
    expect(tf.memory().numTensors).toBe(before + 5)
    tf.dispose([all.total, ...Object.values(all.terms)])
    expect(tf.memory().numTensors).toBe(before)
    disposeInputs(inputs)
  })

  it("uses the relation-aware LCL when the objective asks for it", () => {
    const inputs = makeInputs()
    const related = new Objective({
      ...paperObjectives["en-trans-lcl"],
      name: "related",
      lclRelatedWeight: 0
    })
    const { total, terms } = evaluateObjective(related, inputs)
    const want = labelContrastiveLoss(inputs.lcl!.vectors, inputs.lcl!.labels, {
      relation: { tagTypes: [0, 1, 1] }
    })
    const plain = labelContrastiveLoss(inputs.lcl!.vectors, inputs.lcl!.labels)
    expect(scalar(terms.lcl)).toBeCloseTo(scalar(want), 6)
    expect(Math.abs(scalar(terms.lcl) - scalar(plain))).toBeGreaterThan(1e-4)
    const { tagTypes: _, ...lclWithout } = inputs.lcl!
    expect(() => evaluateObjective(related, { ...inputs, lcl: lclWithout })).toThrow(/lcl.tagTypes/)
    tf.dispose([total, ...Object.values(terms), want, plain])
    disposeInputs(inputs)
  })

  it("fails with ObjectiveInputError, making no tensor, when a weighted term's inputs are missing", () => {
    const inputs = makeInputs()
    const before = tf.memory().numTensors
    const missing = (() => {
      try {
        evaluateObjective(paperObjectives.concner, {
          source: inputs.source!,
          translation: inputs.translation!
        })
      } catch (e) {
        return e
      }
    })()
    expect(missing).toBeInstanceOf(ObjectiveInputError)
    expect((missing as ObjectiveInputError).message).toMatch(/term lcl .* lack lcl/)
    expect(tf.memory().numTensors).toBe(before)
    expect(() => evaluateObjective(paperObjectives.mulda, inputs, "student")).toThrow(
      /no weighted student-stage term/
    )
    disposeInputs(inputs)
  })

  it("trains: tf.variableGrads through the ConCNER objective gives finite gradients for every weight", () => {
    const w = tf.variable(tf.randomNormal([4, 3], 0, 0.5, "float32", 9))
    const x = tf.randomNormal([2, 3, 4], 0, 1, "float32", 8) as tf.Tensor3D
    const inputs = makeInputs()
    const { value, grads } = tf.variableGrads(() => {
      const logits = tf.matMul(tf.reshape(x, [6, 4]), w)
      const pooled = tf.matMul(inputs.tcl!.vectors, w)
      return evaluateObjective(paperObjectives.concner, {
        ...inputs,
        source: { logits: tf.reshape(logits, [2, 3, 3]) as tf.Tensor3D, labels: inputs.source!.labels },
        lcl: { vectors: tf.matMul(inputs.lcl!.vectors, w) as tf.Tensor2D, labels: inputs.lcl!.labels },
        tcl: { vectors: pooled as tf.Tensor2D }
      }).total
    })
    expect(Number.isFinite(scalar(value))).toBe(true)
    expect(Object.values(grads).every((g) => g.dataSync().every(Number.isFinite))).toBe(true)
    expect(tf.tidy(() => scalar(tf.sum(tf.abs(grads[w.name]!))))).toBeGreaterThan(0)
    tf.dispose([value, ...Object.values(grads), w, x])
    disposeInputs(inputs)
  })
})
