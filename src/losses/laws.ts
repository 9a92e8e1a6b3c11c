/**
 * Laws any contrastive loss of this shape should obey, as fast-check properties, plus the
 * arbitraries they draw from. Check a new variant in a few lines:
 *
 * ```ts
 * import { assertLaws, tokenLossLaws } from "concner/losses"
 * assertLaws(tokenLossLaws((h, y, tau) => myLcl(h, y, tau), { reference: myNaiveLcl }))
 * ```
 *
 * or one test per law: `for (const [name, law] of Object.entries(laws)) it(name, () =>
 * fc.assert(law, lawParameters()))`.
 *
 * Token losses take `(h [M, d], labels int32 [M], τ) → scalar`; pair losses `(r [2N, d], τ)`
 * with rows i and i+N paired. Laws build and free their own tensors.
 */
import * as fc from "effect/FastCheck"
import { type Scalar, type Tensor1D, type Tensor2D, tf } from "../runtime/tf.js"

export type TokenLoss = (h: Tensor2D, labels: Tensor1D, temperature: number) => Scalar
export type PairLoss = (r: Tensor2D, temperature: number) => Scalar
export type Vectors = ReadonlyArray<ReadonlyArray<number>>
/** A float64 naive implementation to compare against. */
export type TokenReference = (h: Vectors, labels: ReadonlyArray<number>, temperature: number) => number
export type PairReference = (r: Vectors, temperature: number) => number

export interface TokenBatch {
  readonly vectors: Vectors
  readonly labels: ReadonlyArray<number>
}
/** `vectors` has 2N rows: N sentences, then their translations in the same order. */
export interface PairBatch {
  readonly vectors: Vectors
}

/** A fast-check property with its input type erased: what `fc.assert(law, lawParameters())` takes. */
export type Law = fc.IProperty<unknown>
export type Laws = Readonly<Record<string, Law>>

// fast-check properties are invariant in their input type; a record of laws forgets it
const erase = (properties: object): Laws => properties as Laws

/** `fc.assert` parameters: a fixed seed, and `CONCNER_PROP_RUNS` runs (default 100). */
export const lawParameters = (seed = 20_231_126): fc.Parameters<unknown> => ({
  seed,
  numRuns: Number(process.env.CONCNER_PROP_RUNS ?? 100)
})

/**
 * Checks every law with `lawParameters(seed)`; the first that fails throws, naming the law, with
 * fast-check's counterexample. The way to check a variant without depending on fast-check yourself.
 */
export const assertLaws = (laws: Laws, seed?: number): void => {
  for (const [name, law] of Object.entries(laws))
    try {
      fc.assert(law, lawParameters(seed))
    } catch (e) {
      throw new Error(`the law "${name}" fails: ${e instanceof Error ? e.message : String(e)}`)
    }
}

/** |a − b| ≤ abs + rel·max(|a|, |b|). */
export const approxEqual = (a: number, b: number, rel = 1e-4, abs = 1e-5) =>
  Math.abs(a - b) <= abs + rel * Math.max(Math.abs(a), Math.abs(b))

// ---------------------------------------------------------------- arbitraries

/** Temperatures the losses must handle: [0.05, 1]. */
export const temperatureArb = fc.double({ min: 0.05, max: 1, noNaN: true })

/**
 * Components on a grid of step 1/250 in [−4, 4]: a non-zero vector has norm ≥ 0.004, far from the
 * normalisation's ε, so rescaling laws hold exactly; exact zero vectors come from `specialRows`.
 */
export const vectorArb = (dim: number) =>
  fc.array(
    fc.integer({ min: -1000, max: 1000 }).map((i) => i / 250),
    { minLength: dim, maxLength: dim }
  )

/** Labels with few classes (2–4 ids), so most anchors have positives. */
export const fewClassLabels = (m: number, classes = 4) =>
  fc.integer({ min: 2, max: classes }).chain((c) => fc.array(fc.nat(c - 1), { minLength: m, maxLength: m }))
/** Every token the same label. */
export const oneClassLabels = (m: number) => fc.nat(20).map((c) => Array.from({ length: m }, () => c))
/** All labels distinct: no anchor has a positive. */
export const distinctLabels = (m: number) => fc.uniqueArray(fc.nat(10_000), { minLength: m, maxLength: m })
/** Mostly few classes, sometimes one class or all distinct. */
export const labelsArb = (m: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fewClassLabels(m) },
    { weight: 1, arbitrary: oneClassLabels(m) },
    { weight: 1, arbitrary: distinctLabels(m) }
  )

/** Overwrite some rows with zero vectors or copies of other rows (the numerically nasty cases). */
const specialRows = (
  rows: Array<Array<number>>,
  edits: ReadonlyArray<readonly [boolean, number, number]>
) => {
  for (const [zero, i, j] of edits) {
    const target = i % rows.length
    rows[target] = zero ? rows[target]!.map(() => 0) : [...rows[j % rows.length]!]
  }
  return rows
}
const editsArb = fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.nat()), { maxLength: 3 })

export interface BatchOptions {
  readonly minTokens?: number
  readonly maxTokens?: number
  readonly maxDim?: number
  /** Label arbitrary for a batch of m tokens; default `labelsArb`. */
  readonly labels?: (m: number) => fc.Arbitrary<ReadonlyArray<number>>
}

/** Token batches: 2–24 vectors of dimension 2–8 (some zero, some duplicated) with labels. */
export const tokenBatchArb = (options: BatchOptions = {}): fc.Arbitrary<TokenBatch> =>
  fc
    .record({
      m: fc.integer({ min: options.minTokens ?? 2, max: options.maxTokens ?? 24 }),
      dim: fc.integer({ min: 2, max: options.maxDim ?? 8 })
    })
    .chain(({ m, dim }) =>
      fc.record({
        vectors: fc.array(vectorArb(dim), { minLength: m, maxLength: m }),
        labels: (options.labels ?? labelsArb)(m),
        edits: editsArb
      })
    )
    .map(({ vectors, labels, edits }) => ({ vectors: specialRows(vectors, edits), labels }))

/** Paired sentence batches: 2N rows, N in 1–12 (some rows zero, some duplicated). */
export const pairBatchArb = (options: { readonly maxPairs?: number; readonly maxDim?: number } = {}) =>
  fc
    .record({
      n: fc.integer({ min: 1, max: options.maxPairs ?? 12 }),
      dim: fc.integer({ min: 2, max: options.maxDim ?? 8 })
    })
    .chain(({ n, dim }) =>
      fc.record({
        vectors: fc.array(vectorArb(dim), { minLength: 2 * n, maxLength: 2 * n }),
        edits: editsArb
      })
    )
    .map(({ vectors, edits }): PairBatch => ({ vectors: specialRows(vectors, edits) }))

// ---------------------------------------------------------------- running a loss on plain data

/** The loss's value on plain data (tensors made and freed here). */
export const tokenLossValue = (loss: TokenLoss, batch: TokenBatch, temperature: number): number =>
  tf.tidy(
    () => loss(matrix(batch.vectors), tf.tensor1d([...batch.labels], "int32"), temperature).dataSync()[0]!
  )

export const pairLossValue = (loss: PairLoss, batch: PairBatch, temperature: number): number =>
  tf.tidy(() => loss(matrix(batch.vectors), temperature).dataSync()[0]!)

const matrix = (rows: Vectors) =>
  tf.tensor2d(
    rows.map((r) => [...r]),
    [rows.length, rows[0]?.length ?? 0]
  )

const allFinite = (t: tf.Tensor) => t.dataSync().every(Number.isFinite)

const permute = <A>(xs: ReadonlyArray<A>, order: ReadonlyArray<number>) => order.map((i) => xs[i]!)
const permutationOf = (n: number) =>
  fc.array(fc.nat(), { minLength: n, maxLength: n }).map((keys) =>
    keys
      .map((k, i) => [k, i] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .map(([, i]) => i)
  )
const withPermutation = <B extends { readonly vectors: Vectors }>(
  arb: fc.Arbitrary<B>,
  rows: (b: B) => number
) => arb.chain((batch) => fc.tuple(fc.constant(batch), permutationOf(rows(batch))))
const scalesArb = (n: number) =>
  fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: n, maxLength: n })
const rescale = (vectors: Vectors, scales: ReadonlyArray<number>) =>
  vectors.map((row, i) => row.map((v) => v * scales[i]!))

/** Mean over anchors with a positive of log|P(i)|: the limit of LCL under perfect separation. */
export const lclSeparationBound = (labels: ReadonlyArray<number>): number => {
  const counts = new Map<number, number>()
  for (const y of labels) counts.set(y, (counts.get(y) ?? 0) + 1)
  const anchors = labels.filter((y) => counts.get(y)! > 1)
  return anchors.length === 0
    ? 0
    : anchors.reduce((s, y) => s + Math.log(counts.get(y)! - 1), 0) / anchors.length
}

const separationTemperatures = [1, 0.5, 0.2, 0.1, 0.05] as const

// ---------------------------------------------------------------- laws for token losses

export interface TokenLawOptions {
  /** Enables "agrees with a naive reference". */
  readonly reference?: TokenReference
  /** Batches to draw from (default `tokenBatchArb()`). */
  readonly batches?: fc.Arbitrary<TokenBatch>
  /** Lower bound reached under perfect separation as τ → 0 (default `lclSeparationBound`). */
  readonly separationBound?: (labels: ReadonlyArray<number>) => number
  /** Relative tolerance of the comparisons (default 1e-4). */
  readonly tolerance?: number
}

/** The laws for label-contrastive-style token losses (LCL and its variants). */
export const tokenLossLaws = (loss: TokenLoss, options: TokenLawOptions = {}): Laws => {
  const batches = options.batches ?? tokenBatchArb()
  const rel = options.tolerance ?? 1e-4
  const value = (b: TokenBatch, tau: number) => tokenLossValue(loss, b, tau)
  const laws = {
    "permutation of the tokens leaves it unchanged": fc.property(
      withPermutation(batches, (b) => b.labels.length),
      temperatureArb,
      ([b, order], tau) =>
        approxEqual(
          value(b, tau),
          value({ vectors: permute(b.vectors, order), labels: permute(b.labels, order) }, tau),
          rel
        )
    ),
    "positive rescaling of vectors leaves it unchanged": fc.property(
      batches.chain((b) => fc.tuple(fc.constant(b), scalesArb(b.labels.length))),
      temperatureArb,
      ([b, scales], tau) =>
        approxEqual(value(b, tau), value({ ...b, vectors: rescale(b.vectors, scales) }, tau), rel)
    ),
    "is non-negative": fc.property(batches, temperatureArb, (b, tau) => value(b, tau) >= -1e-6),
    "value and gradient are finite (zero and duplicate vectors, τ ≥ 0.05)": fc.property(
      batches,
      temperatureArb,
      (b, tau) =>
        tf.tidy(() => {
          const labels = tf.tensor1d([...b.labels], "int32")
          const h = matrix(b.vectors)
          const g = tf.grad((x: tf.Tensor) => loss(x as Tensor2D, labels, tau))(h)
          return allFinite(loss(h, labels, tau)) && allFinite(g)
        })
    ),
    "an anchor with no positive contributes nothing": fc.property(
      fc.integer({ min: 4, max: 16 }).chain((m) =>
        fc.record({
          m: fc.constant(m),
          pairs: fc.integer({ min: 2, max: Math.floor(m / 2) }),
          v: vectorArb(4)
        })
      ),
      temperatureArb,
      ({ m, pairs, v }, tau) => {
        // all vectors equal: every anchor with one positive sees the same similarities, so the
        // mean over such anchors cannot depend on how many of the other tokens lack a positive
        const labelsWith = (k: number) => Array.from({ length: m }, (_, i) => (i < 2 * k ? i >> 1 : i))
        const vectors = Array.from({ length: m }, () => v)
        const distinct = Array.from({ length: m }, (_, i) => i)
        return (
          approxEqual(
            value({ vectors, labels: labelsWith(1) }, tau),
            value({ vectors, labels: labelsWith(pairs) }, tau),
            rel
          ) && value({ vectors, labels: distinct }, tau) === 0
        )
      }
    ),
    "perfect separation drives it to its lower bound as τ → small": fc.property(
      fc.integer({ min: 2, max: 6 }).chain((classes) =>
        fc.record({
          classes: fc.constant(classes),
          labels: fc.array(fc.nat(classes - 1), { minLength: 2, maxLength: 20 }),
          scale: fc.double({ min: 0.1, max: 10, noNaN: true })
        })
      ),
      ({ classes, labels, scale }) => {
        // each class along its own axis: cosine 1 within a class, 0 across
        const vectors = labels.map((y) => Array.from({ length: classes }, (_, j) => (j === y ? scale : 0)))
        const values = separationTemperatures.map((tau) => value({ vectors, labels }, tau))
        const bound = (options.separationBound ?? lclSeparationBound)(labels)
        const decreasing = values.every((v, i) => i === 0 || v <= values[i - 1]! + 1e-5)
        return decreasing && approxEqual(values[values.length - 1]!, bound, 1e-3, 1e-3)
      }
    )
  }
  const reference = options.reference
  return erase(
    reference === undefined
      ? laws
      : {
          ...laws,
          "agrees with a naive float64 reference": fc.property(batches, temperatureArb, (b, tau) =>
            approxEqual(value(b, tau), reference(b.vectors, b.labels, tau), rel)
          )
        }
  )
}

// ---------------------------------------------------------------- laws for pair losses

export interface PairLawOptions {
  readonly reference?: PairReference
  readonly batches?: fc.Arbitrary<PairBatch>
  readonly tolerance?: number
}

/** The laws for translation-contrastive-style pair losses (TCL and its variants). */
export const pairLossLaws = (loss: PairLoss, options: PairLawOptions = {}): Laws => {
  const batches = options.batches ?? pairBatchArb()
  const rel = options.tolerance ?? 1e-4
  const value = (b: PairBatch, tau: number) => pairLossValue(loss, b, tau)
  const laws = {
    "swapping the two halves leaves it unchanged": fc.property(batches, temperatureArb, (b, tau) => {
      const n = b.vectors.length / 2
      return approxEqual(
        value(b, tau),
        value({ vectors: [...b.vectors.slice(n), ...b.vectors.slice(0, n)] }, tau),
        rel
      )
    }),
    "permuting the pairs leaves it unchanged": fc.property(
      withPermutation(batches, (b) => b.vectors.length / 2),
      temperatureArb,
      ([b, order], tau) => {
        const n = order.length
        const vectors = [...permute(b.vectors.slice(0, n), order), ...permute(b.vectors.slice(n), order)]
        return approxEqual(value(b, tau), value({ vectors }, tau), rel)
      }
    ),
    "positive rescaling of vectors leaves it unchanged": fc.property(
      batches.chain((b) => fc.tuple(fc.constant(b), scalesArb(b.vectors.length))),
      temperatureArb,
      ([b, scales], tau) =>
        approxEqual(value(b, tau), value({ vectors: rescale(b.vectors, scales) }, tau), rel)
    ),
    "is non-negative": fc.property(batches, temperatureArb, (b, tau) => value(b, tau) >= -1e-6),
    "value and gradient are finite (zero and duplicate vectors, τ ≥ 0.05)": fc.property(
      batches,
      temperatureArb,
      (b, tau) =>
        tf.tidy(() => {
          const r = matrix(b.vectors)
          const g = tf.grad((x: tf.Tensor) => loss(x as Tensor2D, tau))(r)
          return allFinite(loss(r, tau)) && allFinite(g)
        })
    ),
    "perfect separation drives it to 0 as τ → small": fc.property(
      fc.integer({ min: 1, max: 8 }),
      fc.double({ min: 0.1, max: 10, noNaN: true }),
      (n, scale) => {
        // pair i along axis i in both halves: cosine 1 with its translation, 0 with the rest
        const half = Array.from({ length: n }, (_, i) =>
          Array.from({ length: n }, (_, j) => (i === j ? scale : 0))
        )
        const values = separationTemperatures.map((tau) => value({ vectors: [...half, ...half] }, tau))
        const decreasing = values.every((v, i) => i === 0 || v <= values[i - 1]! + 1e-5)
        return decreasing && values[values.length - 1]! < 1e-3
      }
    )
  }
  const reference = options.reference
  return erase(
    reference === undefined
      ? laws
      : {
          ...laws,
          "agrees with a naive float64 reference": fc.property(batches, temperatureArb, (b, tau) =>
            approxEqual(value(b, tau), reference(b.vectors, tau), rel)
          )
        }
  )
}
