import { type Tensor1D, type Tensor2D, tf } from "../runtime/tf.js"
import { LossInputError } from "./errors.js"

/**
 * The label-relation-aware extension of LCL (the paper's stated limitation: B-PER and I-PER are
 * pushed apart as if unrelated). Two tokens are *related* when their tags differ but map to the
 * same entity type (`B-X`/`I-X`, also `E-X`/`S-X` under IOBES). The rule:
 *
 * - same tag            → positive, weight 1 (as in plain LCL);
 * - related tags        → `relatedWeight = 0` (default): masked — neither a positive nor a
 *                         negative, i.e. removed from the anchor's denominator too;
 *                         `relatedWeight = w ∈ (0, 1]`: a positive of weight w (and, like every
 *                         positive, in the denominator); w = 1 is LCL over entity types;
 * - anything else       → negative.
 *
 * Anchors whose positive weights sum to 0 are left out of the mean, as in LCL. With every tag its
 * own type this is exactly LCL. Note the jump at w = 0 → 0⁺: a tiny weight keeps the related pair
 * in the denominator (pushed apart slightly), w = 0 takes it out.
 */
export interface LabelRelation {
  /** Entity-type id of each tag id (index = tag id). Give `O` a type no other tag has. */
  readonly tagTypes: ReadonlyArray<number>
  /** Weight of a related pair as a positive; 0 (default) masks it out instead. In [0, 1]. */
  readonly relatedWeight?: number
}

/**
 * Entity-type ids for a tag list such as `["O", "B-PER", "I-PER", …]`: tags sharing the part after
 * a `B-`/`I-`/`E-`/`S-`/`L-`/`U-` prefix share an id; a tag without a prefix (`O`) is its own type.
 */
export const entityTypesOfTags = (tags: ReadonlyArray<string>): ReadonlyArray<number> => {
  const ids = new Map<string, number>()
  return tags.map((tag) => {
    const type = /^[BIESLU]-(.+)$/.exec(tag)?.[1] ?? `\u0000${tag}`
    const known = ids.get(type)
    if (known !== undefined) return known
    ids.set(type, ids.size)
    return ids.size - 1
  })
}

/** `[M, M]` positive weights (zero diagonal) and excluded-from-denominator mask for LCL's anchors. */
export const lclPairWeights = (
  labels: Tensor1D,
  relation: LabelRelation | undefined
): { readonly positiveWeights: Tensor2D; readonly excluded: Tensor2D } =>
  tf.tidy(() => {
    const m = labels.shape[0]
    // fewest [M, M] passes (M ≈ 2.7k in a paper-sized batch): equal pairs minus the diagonal
    const diagonal = tf.eye(m) as Tensor2D
    const sameLabel = tf.sub(pairsEqual(labels), diagonal) as Tensor2D
    if (relation === undefined) return { positiveWeights: sameLabel, excluded: diagonal }
    const types = relationTypes(labels, relation)
    // same type, different tag (the diagonal cancels: same type and same label there)
    const related = tf.sub(pairsEqual(types), pairsEqual(labels))
    const w = relation.relatedWeight ?? 0
    return w > 0
      ? { positiveWeights: tf.add(sameLabel, tf.mul(related, w)) as Tensor2D, excluded: diagonal }
      : { positiveWeights: sameLabel, excluded: tf.add(diagonal, related) as Tensor2D }
  })

/** Entity type `[M]` (int32) of each label under `relation`, which is checked first (`LossInputError`). */
export const relationTypes = (labels: Tensor1D, relation: LabelRelation): Tensor1D =>
  tf.tidy(() => {
    checkRelation(relation, labels)
    return tf.gather(tf.tensor1d([...relation.tagTypes], "int32"), tf.cast(labels, "int32"))
  })

/** `[M, M]` float32: 1 where `x_i = x_j`. */
const pairsEqual = (x: Tensor1D) => tf.cast(tf.equal(tf.expandDims(x, 1), tf.expandDims(x, 0)), "float32")

const checkRelation = (relation: LabelRelation, labels: Tensor1D) => {
  const fail = (reason: string): never => {
    throw new LossInputError({ loss: "labelContrastiveLoss (relation-aware)", reason })
  }
  const w = relation.relatedWeight ?? 0
  if (!(w >= 0 && w <= 1)) fail(`relatedWeight must be in [0, 1], got ${w}`)
  const bad = relation.tagTypes.findIndex((t) => !Number.isInteger(t))
  if (bad >= 0) fail(`tagTypes[${bad}] = ${relation.tagTypes[bad]} is not an integer`)
  // the labels come from the batcher (not the gradient path): reading them is cheap on cpu/wasm
  const values = labels.dataSync()
  const out = values.findIndex((y) => !(y >= 0 && y < relation.tagTypes.length))
  if (out >= 0)
    fail(`label ${values[out]} at token ${out} has no entry in tagTypes (length ${relation.tagTypes.length})`)
}
