/**
 * Example: a loss concner does not ship, trained end to end. The multi-scale LCL of
 * `custom-loss-laws.ts` (checked there against the laws) becomes a loss term, weighted into an
 * En+Trans objective in place of LCL, and run against MulDA on CoNLL German from 200 English
 * sentences under the `cpu` protocol:
 *
 *   concner run experiments/custom-loss.ts --out runs/custom-loss --seeds 1
 *
 * `concner run` registers the module's `terms` (every cell's process loads them from this file);
 * `concner train --spec RUN/spec.json --experiment experiments/custom-loss.ts` and
 * `concner resume RUN --experiment experiments/custom-loss.ts` do the same for one run. Each
 * run's `metrics.jsonl` logs the term by its name, and `spec.json` records its name and version.
 * This file imports only the package, as a user's project would.
 */
import { type Grid, Objective, targetsOf, tokenTerm, weighTerm } from "concner"
import { multiScaleLcl } from "./custom-loss-laws.js"

/** The term: the law-checked loss over the labeled token vectors of source and translated rows. */
export const multiScaleLclTerm = tokenTerm(
  { name: "multi-scale-lcl", version: "1", temperature: 0.1, needs: { source: true, translations: true } },
  multiScaleLcl
)

/** What `concner run` / `--experiment` register. */
export const terms = [multiScaleLclTerm]

/** En+Trans+LCL (Table 5's weights) with the multi-scale LCL in LCL's place. */
export const enTransMultiScaleLcl = new Objective({
  name: "en-trans-mslcl",
  weights: { ceSource: 0.25, ceTranslation: 0.25, lcl: 0, tcl: 0, kd: 0 },
  customTerms: [weighTerm(multiScaleLclTerm, 0.5)]
})

const grid: Grid = {
  name: "custom-loss",
  sourceSizes: [200],
  methods: [enTransMultiScaleLcl, "mulda"],
  targets: targetsOf("conll", ["de"]),
  seeds: [1, 2, 3],
  translations: "mulda"
}

export default grid
