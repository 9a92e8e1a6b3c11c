/**
 * Which D_TGT serves best? MulDA and ConCNER from 1000 English CoNLL sentences into Spanish, 5
 * seeds, with four sources of labeled translations: MulDA's published Google MT set (the paper's),
 * DeepL with awesome-align projection (published), Apertium (rule-based MT, entity placeholders)
 * and a word-by-word MUSE dictionary translation. Apertium and the dictionary translate each run's
 * sample when it starts (Apertium needs `apertium-eng-spa`; its outputs are cached). No peer reports
 * this comparison; the report marks every source but MulDA's as a deviation from the paper.
 * Run directories: `conll/<method>/es/…` (MulDA's set) and `conll/<method>/es+<source>/…`.
 */
import type { Grid } from "../src/experiment/grid.js"

const grid: Grid = {
  name: "translation-engines",
  sourceSizes: [1000],
  methods: ["mulda", "concner"],
  targets: [
    { corpus: "conll", lang: "es" },
    { corpus: "conll", lang: "es", translations: "deepl-awesome" },
    { corpus: "conll", lang: "es", translations: { engine: "apertium" } },
    { corpus: "conll", lang: "es", translations: { engine: "dictionary" } }
  ],
  seeds: [1, 2, 3, 4, 5],
  translations: "mulda"
}

export default grid
