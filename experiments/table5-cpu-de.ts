/**
 * The `cpu` reproduction of Table 5's German column (issue 11): 1,000 English sentences into CoNLL
 * German, the five no-KD variants plus MulDA and ConCNER (with distillation), 5 seeds, under the
 * `cpu` protocol with the shipped encoder. `results/make-table5-cpu.sh` runs it with its Spanish
 * and Dutch companion (`table5-cpu-es-nl.ts`) and exports `results/table5-cpu/`.
 */
import { type Grid, targetsOf } from "../src/experiment/grid.js"

const grid: Grid = {
  name: "table5-cpu-de",
  sourceSizes: [1000],
  // The paper's comparison (En < MulDA < ConCNER) first: within a seed the cells run in this order,
  // so a grid stopped part-way has the headline methods before the ablations.
  methods: ["en", "mulda", "concner", "trans", "en-lcl", "en-trans-lcl", "en-trans-lcl-tcl"],
  targets: targetsOf("conll", ["de"]),
  seeds: [1, 2, 3, 4, 5],
  translations: "mulda"
}

export default grid
