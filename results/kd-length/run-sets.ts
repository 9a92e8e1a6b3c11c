/**
 * Writes the target-language sets of a recorded run as CoNLL files with their gold tags:
 * OUT_DIR/kd.conll, D_U, the train sentences its student distilled on (their tags never used in
 * training; here they let the teacher and the student be scored on the text the student saw), and
 * OUT_DIR/test.conll, the test sentences it was scored on. `fidelity.sh` uses it:
 *   npx tsx results/kd-length/run-sets.ts RUN_DIR OUT_DIR [DATA_ROOT]
 */
import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { Corpora } from "../../src/data/Corpora.js"
import type { Sentence } from "../../src/data/conll.js"
import { distillationSet, testSet } from "../../src/experiment/data.js"
import { readSpecFile } from "../../src/experiment/run.js"

const [runDir, outDir, dataRoot] = process.argv.slice(2)
if (runDir === undefined || outDir === undefined) {
  console.error("usage: run-sets.ts RUN_DIR OUT_DIR [DATA_ROOT]")
  process.exit(2)
}

const conll = (sentences: ReadonlyArray<Sentence>) =>
  sentences.map((s) => s.tokens.map((t, i) => `${t} ${s.tags[i]}\n`).join("")).join("\n")

const program = Effect.gen(function* () {
  const spec = yield* readSpecFile(path.join(runDir, "spec.json"))
  const corpora = yield* Corpora
  const load = (split: "train" | "test") => corpora.load({ corpus: spec.corpus, lang: spec.lang, split })
  const kd = distillationSet((yield* load("train")).sentences, spec)
  const test = testSet((yield* load("test")).sentences, spec)
  writeFileSync(path.join(outDir, "kd.conll"), conll(kd))
  writeFileSync(path.join(outDir, "test.conll"), conll(test))
  yield* Effect.logInfo(
    `${outDir}: ${kd.length} D_U and ${test.length} test sentences (${spec.corpus} ${spec.lang})`
  )
})

program.pipe(Effect.provide(Layer.merge(Corpora.at(dataRoot), NodeContext.layer)), NodeRuntime.runMain)
