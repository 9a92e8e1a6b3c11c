/**
 * Table 5 of the paper: the variants without KD (En, Trans, En+Trans, En+LCL, Trans+LCL,
 * En+Trans+LCL, En+Trans+LCL+TCL) from 500, 1000 and 2000 English sentences into CoNLL
 * es/nl/de, 5 seeds.
 */
import { type Grid, targetsOf } from "../src/experiment/grid.js"

const grid: Grid = {
  name: "table5",
  sourceSizes: [500, 1000, 2000],
  methods: ["en", "trans", "en-trans", "en-lcl", "trans-lcl", "en-trans-lcl", "en-trans-lcl-tcl"],
  targets: targetsOf("conll", ["es", "nl", "de"]),
  seeds: [1, 2, 3, 4, 5],
  translations: "mulda"
}

export default grid
