// ConCNER German, seed 1, distilled on 6,000 unlabeled German sentences for 4 passes (~750 steps,
// the cpu protocol's budget: 2,000 sentences × 12 passes): more varied text at the same compute.
// Takes the Table 5 grid's teacher through the shared teachers folder (OUT/teachers linked to
// that grid's), so only the student trained:
//   node bin/concner.js run results/kd-length/concner-de-seed1-kdu6000/grid.ts --out OUT --seeds 1
import grid from "../../../experiments/table5-cpu-de.js"
import { Protocol, cpuProtocol } from "../../../src/experiment/spec.js"

export default {
  ...grid,
  name: "kdu6000",
  methods: ["concner"],
  protocol: Protocol.make({ ...cpuProtocol, kdEpochs: 4, kdSentences: 6000 })
}
