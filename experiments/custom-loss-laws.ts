import { pathToFileURL } from "node:url"
import {
  type TokenLoss,
  type TokenReference,
  labelContrastiveLoss,
  lawParameters,
  referenceLcl,
  tf,
  tokenLossLaws
} from "concner"
/**
 * Example: checking a new loss variant against concner's laws.
 *
 * The variant here is a "multi-scale" LCL, the mean of LCL at τ and at 2τ. Checking it takes a
 * loss function, optionally a naive float64 reference, and one `fc.assert` per law; in a vitest
 * file that is the last two lines of `checkMultiScaleLcl` inside `for … it(name, …)` (see
 * test/losses/customLossLaws.test.ts, which runs this file's laws in CI).
 *
 * Run it directly: `npx tsx experiments/custom-loss-laws.ts` (CONCNER_PROP_RUNS sets the runs).
 */
import { FastCheck as fc } from "effect"

/** The new variant: tensors in, scalar out, like every concner loss. */
export const multiScaleLcl: TokenLoss = (h, labels, temperature) =>
  tf.tidy(() =>
    tf.mul(
      0.5,
      tf.add(
        labelContrastiveLoss(h, labels, { temperature }),
        labelContrastiveLoss(h, labels, { temperature: 2 * temperature })
      )
    )
  )

/** Its naive float64 counterpart, for the "agrees with a naive reference" law. */
export const multiScaleLclReference: TokenReference = (h, labels, temperature) =>
  (referenceLcl(h, labels, temperature) + referenceLcl(h, labels, 2 * temperature)) / 2

/** All token-loss laws for the variant (permutation, rescaling, bounds, reference, gradients). */
export const multiScaleLclLaws = tokenLossLaws(multiScaleLcl, { reference: multiScaleLclReference })

/** Checks every law; throws fast-check's counterexample report on the first that fails. */
export const checkMultiScaleLcl = () => {
  for (const [name, law] of Object.entries(multiScaleLclLaws)) {
    fc.assert(law, lawParameters())
    console.log(`ok  ${name}`)
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await tf.setBackend("cpu")
  checkMultiScaleLcl()
}
