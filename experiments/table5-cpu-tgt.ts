/**
 * The in-language ceiling of the `cpu` reproduction (issue 29): the shipped encoder fine-tuned on
 * 1,000 gold sentences of the target's own train split and selected on its dev split — an upper
 * bound that every transfer row of Table 5 is read against ("% of ceiling"), not a cross-lingual
 * method. Same protocol, seeds and output folder as `table5-cpu-de.ts` and `table5-cpu-es-nl.ts`.
 */
import { type Grid, targetsOf } from "../src/experiment/grid.js"

const grid: Grid = {
  name: "table5-cpu-tgt",
  sourceSizes: [1000],
  methods: ["tgt"],
  targets: targetsOf("conll", ["de", "es", "nl"]),
  seeds: [1, 2, 3, 4, 5],
  translations: "mulda"
}

export default grid
