// ConCNER German, seed 1, its student distilled with KL(teacher ‖ student) instead of the paper's
// MSE between label distributions (same 2,000 sentences × 12 passes): does a loss that weighs the
// teacher's rare entity probabilities more keep the student closer to its teacher? The teacher key
// leaves the KD loss out, so the cell takes the Table 5 grid's teacher through the shared teachers
// folder (OUT/teachers linked to that grid's) and only the student trains:
//   node bin/concner.js run results/kd-length/concner-kl-de-seed1/grid.ts --out OUT --seeds 1
import grid from "../../../experiments/table5-cpu-de.js"
import { Objective, paperObjectives } from "../../../src/losses/objective.js"

export default {
  ...grid,
  name: "kd-kl",
  methods: [new Objective({ ...paperObjectives.concner, name: "concner-kl", kdLoss: "kl" })]
}
