/**
 * The label set of a corpus: IOB2 tags over its entity types, `O` first (id 0), then `B-X`, `I-X`
 * per type in the given order. CoNLL has PER, LOC, ORG, MISC (9 tags); WikiAnn PER, LOC, ORG (7).
 */

/** The label of a position no loss trains on (PyTorch's `CrossEntropyLoss` default, used by HF). */
export const IGNORE_INDEX = -100

export interface LabelSet {
  readonly tags: ReadonlyArray<string>
  readonly ids: ReadonlyMap<string, number>
  /** Per tag id: the index of its entity type, −1 for `O` (relation-aware LCL reads this). */
  readonly tagTypes: ReadonlyArray<number>
}

export const conllTypes = ["PER", "LOC", "ORG", "MISC"] as const
export const wikiannTypes = ["PER", "LOC", "ORG"] as const

export const labelSet = (types: ReadonlyArray<string>): LabelSet => {
  const tags = ["O", ...types.flatMap((t) => [`B-${t}`, `I-${t}`])]
  const tagTypes = [-1, ...types.flatMap((_, i) => [i, i])]
  return { tags, ids: new Map(tags.map((t, i) => [t, i])), tagTypes }
}

/** The label set of a model's `id2label` (ids 0..n−1 in order); types in order of first appearance. */
export const labelSetOf = (id2label: ReadonlyArray<string>): LabelSet => {
  const types: Array<string> = []
  const tagTypes = id2label.map((tag) => {
    if (tag === "O") return -1
    const type = tag.slice(2)
    if (!types.includes(type)) types.push(type)
    return types.indexOf(type)
  })
  return { tags: [...id2label], ids: new Map(id2label.map((t, i) => [t, i])), tagTypes }
}
