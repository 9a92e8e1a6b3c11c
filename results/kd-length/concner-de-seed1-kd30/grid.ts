// The one-cell grid that made this run: ConCNER German, seed 1, distilled for 30 passes (the
// paper's epoch count) instead of the cpu protocol's 12. Its teacher came from the Table 5 grid's
// shared teachers (OUT/teachers linked to that grid's), so only the student trained:
//   node bin/concner.js run results/kd-length/concner-de-seed1-kd30/grid.ts --out OUT --seeds 1
import grid from "../../../experiments/table5-cpu-de.js"
import { Protocol, cpuProtocol } from "../../../src/experiment/spec.js"

export default {
  ...grid,
  name: "kd30",
  methods: ["concner"],
  protocol: Protocol.make({ ...cpuProtocol, kdEpochs: 30 })
}
