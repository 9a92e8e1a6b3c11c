/**
 * Table 4 of the paper: ConCNER's ablations (without KD, TCL, LCL, both) from 1000 English
 * sentences into CoNLL es/nl/de and WikiAnn ar/hi/zh, 5 seeds. Every variant trains on
 * translations; no labeled translations exist for WikiAnn, so ar/hi/zh use the English sentences
 * translated word by word with the MUSE dictionaries (`engine:dictionary`), a deviation from the
 * paper's Google MT that the report marks.
 */
import { type Grid, targetsOf } from "../src/experiment/grid.js"

const grid: Grid = {
  name: "table4",
  sourceSizes: [1000],
  methods: ["concner-no-kd", "concner-no-tcl", "concner-no-lcl", "concner-no-cl", "concner"],
  targets: [
    ...targetsOf("conll", ["es", "nl", "de"]),
    ...targetsOf("wikiann", ["ar", "hi", "zh"], { engine: "dictionary" })
  ],
  seeds: [1, 2, 3, 4, 5],
  translations: "mulda"
}

export default grid
