/**
 * The code-switching study (issue 11's encoder levers): two tiny encoders (2 × 128) pretrained for
 * the same 1,000 steps on the same CoNLL text and translations with the same vocabulary —
 * `models/cs-study/base.pretrain.json` and `code-switch.pretrain.json`, which adds CoNLL English
 * train with half its words switched into German, Spanish or Dutch by the MUSE dictionaries — then
 * fine-tuned on English only (the zero-shot transfer code-switching is meant to help) and scored on
 * German, Spanish and Dutch test, 3 seeds, under the `cpu` protocol. Run once per encoder:
 *   node bin/concner.js run experiments/cs-study.ts --model DIR --out OUT
 */
import { type Grid, targetsOf } from "../src/experiment/grid.js"

const grid: Grid = {
  name: "cs-study",
  sourceSizes: [1000],
  methods: ["en"],
  targets: targetsOf("conll", ["de", "es", "nl"]),
  seeds: [1, 2, 3],
  // En reads no translations; a grid names a source all the same
  translations: "mulda"
}

export default grid
