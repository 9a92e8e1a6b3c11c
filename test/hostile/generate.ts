/** Writes the hostile-input corpus to a folder: `npx tsx test/hostile/generate.ts OUT_DIR`. */
import { hostileCases, writeCorpus } from "./corpus.js"

const out = process.argv[2]
if (out === undefined) {
  console.error("usage: npx tsx test/hostile/generate.ts OUT_DIR")
  process.exit(2)
}
writeCorpus(out)
console.log(`${out}: ${hostileCases.length} hostile inputs`)
