/**
 * The size study behind the shipped encoder (issue 7): two encoders pretrained for the same wall
 * time (~4,700 s on this machine) — `models/concner-small.pretrain.json` (4 × 256) and
 * `models/size-study/tiny.pretrain.json` (2 × 128), same vocabulary, data and schedule — fine-tuned on
 * Table 5's German setting (En and En+Trans+LCL+TCL, 1,000 English sentences, 3 seeds) under the
 * `cpu` protocol as it stood when the study ran (8 epochs). Run once per encoder:
 *   node bin/concner.js run experiments/size-study.ts --model DIR --out OUT --concurrency 2
 */
import { type Grid, targetsOf } from "../src/experiment/grid.js"
import { Protocol, cpuProtocol } from "../src/experiment/spec.js"

const grid: Grid = {
  name: "size-study",
  sourceSizes: [1000],
  methods: ["en", "en-trans-lcl-tcl"],
  targets: targetsOf("conll", ["de"]),
  seeds: [1, 2, 3],
  translations: "mulda",
  // the cpu protocol of the time: 8 epochs, 1 KD pass (no KD method here; kept so specs match)
  protocol: Protocol.make({ ...cpuProtocol, name: "size-study", epochs: 8, kdEpochs: 1 })
}

export default grid
