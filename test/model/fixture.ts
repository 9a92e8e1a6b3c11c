/**
 * The PyTorch parity fixture (`test/fixtures/model`, made by `generate.py`): a tiny HF-layout
 * `BertForTokenClassification` checkpoint and the outputs PyTorch computes from it (float64).
 */
import { fileURLToPath } from "node:url"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { Effect } from "effect"
import { loadCheckpoint } from "../../src/model/checkpoint.js"
import type { tf } from "../../src/runtime/tf.js"

export const FIXTURE_DIR = fileURLToPath(new URL("../fixtures/model", import.meta.url))

export interface Expected {
  readonly sentences: ReadonlyArray<{
    readonly text: string
    readonly tokens: ReadonlyArray<string>
    readonly input_ids: ReadonlyArray<number>
    readonly hidden: ReadonlyArray<ReadonlyArray<number>>
  }>
  readonly batch: {
    readonly input_ids: Array<Array<number>>
    readonly attention_mask: Array<Array<number>>
    readonly token_type_ids: Array<Array<number>>
    readonly hidden: Array<Array<Array<number>>>
    readonly logits: Array<Array<Array<number>>>
    readonly logits_gelu_new: Array<Array<Array<number>>>
    readonly logits_relu: Array<Array<Array<number>>>
  }
}

/** Config, expected outputs, and the weights read by concner's checkpoint loader (freed with the Scope). */
export const loadFixture = Effect.gen(function* () {
  const { config, params, report } = yield* loadCheckpoint(FIXTURE_DIR)
  if (report.classifier !== "loaded") throw new Error("the fixture has a classifier")
  const fs = yield* FileSystem.FileSystem
  const expected = JSON.parse(yield* fs.readFileString(`${FIXTURE_DIR}/expected.json`)) as Expected
  return { config, params, expected }
}).pipe(Effect.provide(NodeContext.layer))

/** Largest absolute difference between a tensor and nested expected values of the same shape. */
export const maxAbsDiff = (actual: tf.Tensor, expected: ReadonlyArray<unknown>): number => {
  const want = (expected as Array<number>).flat(3) as Array<number>
  const got = actual.dataSync()
  if (got.length !== want.length) throw new Error(`size ${got.length} ≠ expected ${want.length}`)
  return want.reduce((m, w, i) => Math.max(m, Math.abs(w - got[i]!)), 0)
}
