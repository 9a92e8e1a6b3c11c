/**
 * The `cpu` reproduction's Spanish and Dutch columns (issue 11): En, MulDA and ConCNER from 1,000
 * English sentences, 5 seeds like the German grid (`table5-cpu-de.ts`; the issue asks for 3 at least,
 * and seeds 4–5 were run once the German grid was done).
 */
import { type Grid, targetsOf } from "../src/experiment/grid.js"

const grid: Grid = {
  name: "table5-cpu-es-nl",
  sourceSizes: [1000],
  // En last: its teacher reads only English, so by then the German grid (run beside this one,
  // En first) has published it in the shared `teachers/` folder and these cells only score it
  methods: ["mulda", "concner", "en"],
  targets: targetsOf("conll", ["es", "nl"]),
  seeds: [1, 2, 3, 4, 5],
  translations: "mulda"
}

export default grid
