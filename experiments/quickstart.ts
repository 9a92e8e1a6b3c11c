/**
 * The quickstart as a grid: En, MulDA and ConCNER on CoNLL German from 500 English sentences,
 * one seed, under the quickstart protocol (minutes on 2 cores).
 * `concner run experiments/quickstart.ts [--model DIR]`; without `--model` it uses the shipped
 * encoder `models/concner-small`, as `concner quickstart` does.
 */
import { type Grid, targetsOf } from "../src/experiment/grid.js"
import { quickstartMethods, quickstartProtocol, quickstartSourceSize } from "../src/experiment/quickstart.js"

const grid: Grid = {
  name: "quickstart",
  sourceSizes: [quickstartSourceSize],
  methods: quickstartMethods,
  targets: targetsOf("conll", ["de"]),
  seeds: [1],
  translations: "mulda",
  protocol: quickstartProtocol
}

export default grid
