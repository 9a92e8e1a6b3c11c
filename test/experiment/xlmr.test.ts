/**
 * ConCNER end to end on an XLM-R folder: the tiny random XLM-R checkpoint of test/fixtures/xlmr
 * (2 × 32, SentencePiece vocabulary of 517) as the encoder of a teacher (CE + LCL + TCL) and its
 * distilled student (KD), on real data (skipped without ../shared/data).
 */
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { FileSystem } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runExperiment } from "../../src/experiment/run.js"
import { loadModelFolder } from "../../src/model/modelFolder.js"
import { tf } from "../../src/runtime/tf.js"
import { hasData } from "../support/data.js"
import { runLayer, tinyProtocol, tinySpec } from "../support/runs.js"

const XLMR = fileURLToPath(new URL("../fixtures/xlmr/tiny", import.meta.url))

describe.skipIf(!hasData)("a ConCNER run on an XLM-R folder", () => {
  it.scoped(
    "trains the teacher, distills the student and saves both as XLM-R folders (wasm)",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const spec = yield* tinySpec(XLMR, "concner", tinyProtocol(40))
        const before = tf.memory().numTensors
        const result = yield* runExperiment(spec, path.join(dir, "run"), { onEvent: () => Effect.void })
        expect(tf.memory().numTensors).toBe(before)
        expect(result.steps).toBe(3)
        expect(result.student?.steps).toBe(2)
        for (const s of [result.test, result.student!.test]) expect(s.f1).toBeGreaterThanOrEqual(0)
        for (const stage of ["teacher", "student"]) {
          const saved = path.join(dir, "run", stage)
          expect(yield* fs.exists(path.join(saved, "sentencepiece.bpe.model"))).toBe(true)
          expect(yield* fs.exists(path.join(saved, "vocab.txt"))).toBe(false)
          const config = JSON.parse(yield* fs.readFileString(path.join(saved, "config.json")))
          expect(config.model_type).toBe("xlm-roberta")
          expect(config.architectures).toEqual(["XLMRobertaForTokenClassification"])
          yield* Effect.scoped(
            Effect.gen(function* () {
              const loaded = yield* loadModelFolder(saved)
              expect(loaded.tokenizer.kind).toBe("sentencepiece")
              expect(loaded.report.classifier).toBe("loaded")
            })
          )
        }
      }).pipe(Effect.provide(runLayer("wasm"))),
    240_000
  )
})
