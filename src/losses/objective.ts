import * as Schema from "effect/Schema"
import { type Scalar, type Tensor1D, type Tensor2D, type Tensor3D, tf } from "../runtime/tf.js"
import { tokenCrossEntropy } from "./crossEntropy.js"
import { distillationHard, distillationKl, distillationMse } from "./distillation.js"
import { LossInputError, ObjectiveInputError } from "./errors.js"
import { labelContrastiveLoss } from "./lcl.js"
import { type LossTerm, type LossTermId, type TermBatch, TermNeeds } from "./lossTerm.js"
import { translationContrastiveLoss } from "./tcl.js"

/**
 * The weighted terms of an objective. Eq. 8 is `L = α·L_CE + β·(L_LCL + L_TCL)` with L_CE over
 * `D = D_SRC ∪ D_TGT` averaged over sentences. A batch holds N source sentences and their N
 * translations, so (when every sentence has a labeled token) that mean is
 * `½·CE(source half) + ½·CE(translation half)`: α·L_CE is `ceSource = ceTranslation = α/2`.
 * (If one half had sentences without any labeled token the paper's pooled mean would weigh the
 * halves by their sentence counts instead; sentences are never empty after labelling, so the two
 * coincide in practice.) `kd` weighs the distillation loss of the second (student) stage.
 */
export const objectiveTerms = ["ceSource", "ceTranslation", "lcl", "tcl", "kd"] as const
export type ObjectiveTerm = (typeof objectiveTerms)[number]

/** Which training stage each term belongs to: M1 (the teacher) or the distilled student. */
export const termStage = {
  ceSource: "teacher",
  ceTranslation: "teacher",
  lcl: "teacher",
  tcl: "teacher",
  kd: "student"
} as const satisfies Record<ObjectiveTerm, "teacher" | "student">
export type ObjectiveStage = (typeof termStage)[ObjectiveTerm]

const Weight = Schema.Number.pipe(Schema.finite(), Schema.nonNegative())
const Temperature = Schema.Number.pipe(Schema.finite(), Schema.positive())

export const ObjectiveWeights = Schema.Struct({
  ceSource: Weight,
  ceTranslation: Weight,
  lcl: Weight,
  tcl: Weight,
  kd: Weight
})
export type ObjectiveWeights = typeof ObjectiveWeights.Type

/**
 * A user's loss term in an objective (see `lossTerm.ts`): the name and version it is registered
 * under, the data it reads, its weight. Teacher stage only.
 */
export const CustomTerm = Schema.Struct({
  name: Schema.NonEmptyTrimmedString.pipe(
    Schema.filter(
      (name) =>
        !(objectiveTerms as ReadonlyArray<string>).includes(name) ||
        `"${name}" is a built-in term: name a custom term otherwise`
    )
  ),
  version: Schema.NonEmptyTrimmedString,
  needs: TermNeeds,
  weight: Weight
})
export type CustomTerm = typeof CustomTerm.Type

/** `term` with `weight`, as an objective's `customTerms` lists it. */
export const weighTerm = (term: LossTermId, weight: number): CustomTerm => ({
  name: term.name,
  version: term.version,
  needs: term.needs,
  weight
})

/** The distillation loss of the student stage: eq. 9's MSE, or the KL / hard-label variants. */
export const KdLoss = Schema.Literal("mse", "kl", "hard")
export type KdLoss = typeof KdLoss.Type

/** The data a method's batches must carry. */
export interface DataNeeds {
  /** Labeled source sentences (D_SRC). */
  readonly source: boolean
  /** Their translations with projected labels (D_TGT), paired row by row with the source. */
  readonly translations: boolean
  /** Unlabeled target text (D_U), for the student stage. */
  readonly unlabeledTarget: boolean
  /**
   * The labeled sentences are the target language's own train split, and selection is on its
   * dev split: the in-language ceiling, an upper bound rather than a cross-lingual method.
   */
  readonly inLanguage: boolean
}

/**
 * A training objective as data: weights of the five terms plus the loss settings. Decodable with
 * `Schema.decodeUnknown(Objective)` so experiment specs can hold one; the paper's variants are
 * the named values in `paperObjectives`.
 *
 * Batching rule: a teacher-stage batch holds source sentences when `ceSource` or `tcl` is
 * weighted and translations when `ceTranslation` or `tcl` is; LCL takes the labeled tokens
 * (first subwords) of every sentence in the batch.
 */
export class Objective extends Schema.Class<Objective>("Objective")(
  Schema.Struct({
    name: Schema.NonEmptyTrimmedString,
    weights: ObjectiveWeights,
    /** τ_LCL (paper: 0.1). */
    lclTemperature: Schema.optionalWith(Temperature, { default: () => 0.1 }),
    /** τ_TCL (paper: 0.1). */
    tclTemperature: Schema.optionalWith(Temperature, { default: () => 0.1 }),
    /** Present = label-relation-aware LCL with this weight for related tags (see `LabelRelation`). */
    lclRelatedWeight: Schema.optional(Schema.Number.pipe(Schema.between(0, 1))),
    kdLoss: Schema.optionalWith(KdLoss, { default: () => "mse" as const }),
    /**
     * true: `ceSource` and `lcl` train on the target language's own gold train sentences, selected
     * on its dev split (see `DataNeeds.inLanguage`). Absent in every cross-lingual objective, so
     * their specs encode (and hash) as before.
     */
    inLanguage: Schema.optional(Schema.Literal(true)),
    /** Terms a user registered (`LossTerms`), weighted like the built-in ones; absent when none. */
    customTerms: Schema.optional(Schema.Array(CustomTerm))
  }).pipe(
    Schema.filter(({ weights: w, inLanguage, customTerms = [] }) =>
      w.ceSource + w.ceTranslation + w.lcl + w.tcl + customTerms.reduce((sum, t) => sum + t.weight, 0) > 0
        ? inLanguage && w.ceTranslation + w.tcl + w.kd > 0
          ? "an in-language objective trains on the target's own gold sentences: it takes no translations (ceTranslation, tcl) and no distillation (kd)"
          : w.lcl === 0 ||
            w.ceSource + w.ceTranslation + w.tcl > 0 ||
            customTerms.some((t) => t.weight > 0) ||
            "lcl takes the tokens of the batch's sentences: weight ceSource, ceTranslation, tcl or a custom term too"
        : "an objective needs a teacher-stage term (ceSource, ceTranslation, lcl, tcl or a custom one) with a positive weight"
    ),
    Schema.filter(({ customTerms = [] }) => {
      const names = customTerms.map((t) => t.name)
      const twice = names.find((n, i) => names.indexOf(n) !== i)
      return twice === undefined || `custom term "${twice}" is listed twice`
    })
  )
) {
  get needs(): DataNeeds {
    const w = this.weights
    const custom = (this.customTerms ?? []).filter((t) => t.weight > 0)
    return {
      source: w.ceSource > 0 || w.tcl > 0 || custom.some((t) => t.needs.source),
      translations: w.ceTranslation > 0 || w.tcl > 0 || custom.some((t) => t.needs.translations),
      unlabeledTarget: w.kd > 0,
      inLanguage: this.inLanguage === true
    }
  }

  /** Whether the method trains a student on D_U from the frozen teacher. */
  get hasKdStage(): boolean {
    return this.weights.kd > 0
  }
}

const objective = (name: string, weights: Partial<ObjectiveWeights>) =>
  new Objective({ name, weights: { ceSource: 0, ceTranslation: 0, lcl: 0, tcl: 0, kd: 0, ...weights } })

/**
 * The paper's methods (Tables 3–5). ConCNER: α = 0.5, β = 0.25 (eq. 8), CE split over the two
 * halves as `objectiveTerms` explains. CE-only methods use CE with weight 1 (plain fine-tuning,
 * as in the baselines' own papers). Variants with one contrastive term use α = β = 0.5, the
 * setting Table 4 states for w/o TCL and w/o LCL; Table 5 does not state its weights, so its
 * LCL-only rows use the same (project choice), which makes Table 5's En+Trans+LCL exactly
 * Table 4's w/o TCL without its KD stage.
 */
export const paperObjectives = {
  // Table 5 (no KD)
  en: objective("en", { ceSource: 1 }),
  trans: objective("trans", { ceTranslation: 1 }),
  "en-trans": objective("en-trans", { ceSource: 0.5, ceTranslation: 0.5 }),
  "en-lcl": objective("en-lcl", { ceSource: 0.5, lcl: 0.5 }),
  "trans-lcl": objective("trans-lcl", { ceTranslation: 0.5, lcl: 0.5 }),
  "en-trans-lcl": objective("en-trans-lcl", { ceSource: 0.25, ceTranslation: 0.25, lcl: 0.5 }),
  "en-trans-lcl-tcl": objective("en-trans-lcl-tcl", {
    ceSource: 0.25,
    ceTranslation: 0.25,
    lcl: 0.25,
    tcl: 0.25
  }),
  // Table 3 / Table 4
  concner: objective("concner", { ceSource: 0.25, ceTranslation: 0.25, lcl: 0.25, tcl: 0.25, kd: 1 }),
  "concner-no-kd": objective("concner-no-kd", { ceSource: 0.25, ceTranslation: 0.25, lcl: 0.25, tcl: 0.25 }),
  "concner-no-tcl": objective("concner-no-tcl", { ceSource: 0.25, ceTranslation: 0.25, lcl: 0.5, kd: 1 }),
  "concner-no-lcl": objective("concner-no-lcl", { ceSource: 0.25, ceTranslation: 0.25, tcl: 0.5, kd: 1 }),
  "concner-no-cl": objective("concner-no-cl", { ceSource: 0.5, ceTranslation: 0.5, kd: 1 }),
  // baselines: MulDA (En+Trans), Wu & Dredze 2019 (= en), Wu et al. 2020 (En + KD)
  mulda: objective("mulda", { ceSource: 0.5, ceTranslation: 0.5 }),
  "en-kd": objective("en-kd", { ceSource: 1, kd: 1 }),
  // not the paper's: the in-language ceiling every transfer row is read against (N gold
  // target-language sentences, plain fine-tuning as En, selected on the target's dev split)
  tgt: new Objective({ ...objective("tgt", { ceSource: 1 }), inLanguage: true })
} as const satisfies Record<string, Objective>

export const PaperVariant = Schema.Literal(
  ...(Object.keys(paperObjectives) as Array<keyof typeof paperObjectives>)
)
export type PaperVariant = typeof PaperVariant.Type

/** What an experiment spec may hold: a full `Objective`, or the name of one of the paper's. */
export const ObjectiveSpec = Schema.Union(
  Objective,
  Schema.transform(PaperVariant, Schema.typeSchema(Objective), {
    strict: true,
    decode: (name) => paperObjectives[name],
    encode: (o) => o.name as PaperVariant
  })
)

/** CE inputs for one half of a batch. */
export interface LabeledLogits {
  readonly logits: Tensor3D
  readonly labels: Tensor2D
}

/** The tensors one batch produces; only those of weighted terms are needed. */
export interface ObjectiveInputs {
  readonly source?: LabeledLogits
  readonly translation?: LabeledLogits
  /** First-subword vectors `[M, d]` of every labeled token in the batch, their labels `[M]`,
   *  and (for relation-aware LCL) the entity type of each tag id. */
  readonly lcl?: {
    readonly vectors: Tensor2D
    readonly labels: Tensor1D
    readonly tagTypes?: ReadonlyArray<number>
  }
  /** Mean-pooled sentence vectors `[2N, d]`: the N source rows, then their N translations. */
  readonly tcl?: { readonly vectors: Tensor2D }
  readonly kd?: { readonly studentProbs: Tensor3D; readonly teacherProbs: Tensor3D; readonly mask: Tensor2D }
  /** The whole batch, as custom terms read it. */
  readonly batch?: TermBatch
}

export interface ObjectiveValue {
  /** Σ weight · term over the stage's weighted terms. */
  readonly total: Scalar
  /** Each computed term (built-in or custom, by name), unweighted, for logging; terms with weight 0 are absent. */
  readonly terms: Readonly<Record<string, Scalar>>
}

const inputKey = {
  ceSource: "source",
  ceTranslation: "translation",
  lcl: "lcl",
  tcl: "tcl",
  kd: "kd"
} as const satisfies Record<ObjectiveTerm, keyof ObjectiveInputs>

const kdLosses = { mse: distillationMse, kl: distillationKl, hard: distillationHard } as const

/**
 * Evaluates `objective` on one batch for `stage` ("teacher": CE, LCL, TCL and custom terms, found
 * in `registered` by name; "student": KD). Terms with weight 0 are not computed. Returns new
 * tensors only (`total` and one per term); all intermediates are freed. Inside
 * `tf.variableGrads(f)` only `f`'s result survives: `tf.keep` the terms there to log them.
 */
export const evaluateObjective = (
  objective: Objective,
  inputs: ObjectiveInputs,
  stage: ObjectiveStage = "teacher",
  registered: ReadonlyMap<string, LossTerm> = new Map()
): ObjectiveValue => {
  const active = objectiveTerms.filter((t) => termStage[t] === stage && objective.weights[t] > 0)
  const custom =
    stage === "teacher"
      ? (objective.customTerms ?? [])
          .filter((t) => t.weight > 0)
          .map((t) => {
            const term = registered.get(t.name)
            if (term === undefined)
              throw new ObjectiveInputError({
                objective: objective.name,
                term: t.name,
                missing: "a registered term"
              })
            return { term, weight: t.weight }
          })
      : []
  if (active.length + custom.length === 0)
    throw new LossInputError({
      loss: "evaluateObjective",
      reason: `objective "${objective.name}" has no weighted ${stage}-stage term`
    })
  const need = <A>(term: string, missing: string, value: A | undefined): A => {
    if (value === undefined) throw new ObjectiveInputError({ objective: objective.name, term, missing })
    return value
  }
  // every input is checked before any tensor is made, so a missing one leaks nothing
  for (const t of active) need(t, inputKey[t], inputs[inputKey[t]])
  const batch = custom.length > 0 ? need(custom[0]!.term.name, "batch", inputs.batch) : undefined
  const lclTagTypes =
    objective.lclRelatedWeight !== undefined && active.includes("lcl")
      ? need("lcl", "lcl.tagTypes (relation-aware LCL)", inputs.lcl?.tagTypes)
      : undefined
  const compute: Record<ObjectiveTerm, () => Scalar> = {
    ceSource: () => tokenCrossEntropy(inputs.source!.logits, inputs.source!.labels),
    ceTranslation: () => tokenCrossEntropy(inputs.translation!.logits, inputs.translation!.labels),
    lcl: () =>
      labelContrastiveLoss(inputs.lcl!.vectors, inputs.lcl!.labels, {
        temperature: objective.lclTemperature,
        ...(lclTagTypes === undefined
          ? {}
          : { relation: { tagTypes: lclTagTypes, relatedWeight: objective.lclRelatedWeight ?? 0 } })
      }),
    tcl: () => translationContrastiveLoss(inputs.tcl!.vectors, { temperature: objective.tclTemperature }),
    kd: () => kdLosses[objective.kdLoss](inputs.kd!.studentProbs, inputs.kd!.teacherProbs, inputs.kd!.mask)
  }
  return tf.tidy(() => {
    const terms: Record<string, Scalar> = {}
    let total: Scalar = tf.scalar(0)
    for (const t of active) {
      const value = compute[t]()
      terms[t] = value
      total = tf.add(total, tf.mul(value, objective.weights[t]))
    }
    for (const { term, weight } of custom) {
      const value = term.loss(batch!)
      terms[term.name] = value
      total = tf.add(total, tf.mul(value, weight))
    }
    return { total, terms }
  })
}
