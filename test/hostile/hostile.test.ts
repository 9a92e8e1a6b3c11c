/**
 * Every reader and loader against the hostile-input corpus (`corpus.ts`) and against random bytes:
 * each input gives a valid value or a tagged error whose message names the file and stays short —
 * never a throw (crash), a time-out (hang), a null, or a value where an error was due (silent).
 * The counts must be the README's ("Reliability").
 */
import { readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { NodeContext } from "@effect/platform-node"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Layer, ManagedRuntime, FastCheck as fc } from "effect"
import { decodeConll } from "../../src/data/conll.js"
import { decodeIndexFile } from "../../src/data/indexFile.js"
import { readTextFile } from "../../src/data/utf8.js"
import { decodeConlleval } from "../../src/eval/input.js"
import { checkTags } from "../../src/eval/strict.js"
import { readSpecFile } from "../../src/experiment/run.js"
import { loadBertConfig } from "../../src/model/config.js"
import { loadModelFolder } from "../../src/model/modelFolder.js"
import { readSafetensors } from "../../src/model/safetensors.js"
import { TensorRuntime } from "../../src/runtime/TensorRuntime.js"
import { tf } from "../../src/runtime/tf.js"
import { loadVocab } from "../../src/text/vocab.js"
import { parseDictionary } from "../../src/translate/dictionary.js"
import { removeTempDirs, tempDir } from "../support/tempDir.js"
import { type Reader, hostileCases, writeCorpus } from "./corpus.js"

afterAll(removeTempDirs)

/** What the readers need: files, and tensors for the model folders. */
type Services = NodeContext.NodeContext | TensorRuntime

/** What each reader does with a case's folder (`input` for the single-file readers). */
const readers: Record<Reader, (dir: string) => Effect.Effect<unknown, unknown, Services>> = {
  conll: (dir) =>
    Effect.flatMap(readTextFile(join(dir, "input")), (text) =>
      decodeConll(text, join(dir, "input"), { scheme: "IOB2" })
    ),
  conlleval: (dir) =>
    Effect.flatMap(readTextFile(join(dir, "input")), (text) =>
      Effect.tap(decodeConlleval(text, join(dir, "input")), (input) =>
        checkTags(input.sentences, join(dir, "input"))
      )
    ),
  vocab: (dir) => loadVocab(join(dir, "input")),
  config: (dir) => loadBertConfig(join(dir, "input")),
  safetensors: (dir) => readSafetensors(join(dir, "input")),
  model: (dir) => Effect.scoped(Effect.asVoid(loadModelFolder(dir))),
  index: (dir) =>
    Effect.flatMap(readTextFile(join(dir, "input")), (text) =>
      decodeIndexFile(text, join(dir, "input"), 3, 0)
    ),
  dictionary: (dir) =>
    Effect.flatMap(readTextFile(join(dir, "input")), (text) => parseDictionary(text, join(dir, "input"))),
  spec: (dir) => readSpecFile(join(dir, "input"))
}
// one tensor runtime for every case (a model case builds its weights, and frees them)
const runtime = ManagedRuntime.make(
  Layer.mergeAll(NodeContext.layer, TensorRuntime.layer({ backend: "cpu" }))
)
afterAll(() => runtime.dispose())
/** A reader's run, bounded in time: a hang is a `TimeoutException`. */
const run = (effect: Effect.Effect<unknown, unknown, Services>) =>
  runtime.runPromiseExit(effect.pipe(Effect.timeout(Duration.seconds(20))))

type Outcome = "ok" | "clear error" | "crash" | "hang" | "silent" | "unclear error"

/** How a reader's exit reads to a user. */
const classify = (exit: Exit.Exit<unknown, unknown>, expected: "ok" | "error" | "either", dir: string) => {
  if (Exit.isSuccess(exit)) {
    if (exit.value === null || (exit.value === undefined && expected !== "ok")) return "silent"
    return expected === "error" ? "silent" : "ok"
  }
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None") return "crash"
  const error = failure.value as { _tag?: string; message?: string }
  if (error._tag === "TimeoutException") return "hang"
  const message = error.message ?? ""
  // a tagged error whose message says where (the case's folder) in under 1 KB
  if (error._tag === undefined || message.length === 0 || message.length > 1024 || !message.includes(dir))
    return "unclear error"
  return expected === "ok" ? "silent" : "clear error"
}

const corpusDir = tempDir("concner-hostile-")

describe("the hostile-input corpus", () => {
  it("every case: a valid value or a clear error; 0 crashes, 0 hangs, 0 silent results", async () => {
    await runtime.runPromise(Effect.void)
    const before = tf.memory().numTensors
    const outcomes: Array<{ name: string; outcome: Outcome; message: string }> = []
    for (const { case: c, dir } of writeCorpus(corpusDir)) {
      const exit = await run(readers[c.reader](dir))
      const outcome = classify(exit, c.expect, dir)
      const message = Exit.isFailure(exit) ? Cause.pretty(exit.cause).split("\n")[0]! : ""
      outcomes.push({ name: `${c.reader}/${c.name}`, outcome, message: message.slice(0, 300) })
    }
    expect(tf.memory().numTensors).toBe(before)
    const bad = outcomes.filter((o) => o.outcome !== "ok" && o.outcome !== "clear error")
    expect(bad).toStrictEqual([])
    const count = (o: Outcome) => outcomes.filter((x) => x.outcome === o).length
    const counts = {
      tried: outcomes.length,
      valid: count("ok"),
      clearErrors: count("clear error"),
      crashes: count("crash"),
      silent: count("silent"),
      hangs: count("hang")
    }
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8")
    expect(readme).toContain(
      `| ${counts.tried} | ${counts.valid} | ${counts.clearErrors} | ${counts.crashes} | ${counts.silent} | ${counts.hangs} |`
    )
  }, 300_000)

  it("regenerates byte for byte", () => {
    const again = tempDir("concner-hostile-again-")
    const first = writeCorpus(join(again, "a"))
    const second = writeCorpus(join(again, "b"))
    expect(first.length).toBe(hostileCases.length)
    for (const [i, { case: c }] of first.entries())
      for (const file of Object.keys(c.files))
        expect(readFileSync(join(second[i]!.dir, file)).equals(readFileSync(join(first[i]!.dir, file)))).toBe(
          true
        )
  })
})

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)

describe("random bytes as every kind of file", () => {
  it(
    "each reader returns a valid value or a tagged error: never a throw, a hang or a null",
    () =>
      fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...(Object.keys(readers) as Array<Reader>)),
          fc.uint8Array({ maxLength: 2048 }),
          async (reader, content) => {
            const dir = tempDir("concner-random-")
            if (reader === "model") {
              // one random file in an otherwise valid folder
              writeCorpus(join(dir, "corpus")).find(
                (c) => c.case.reader === "model" && c.case.name === "valid"
              )
              const valid = join(dir, "corpus", "model", "valid")
              const which = ["config.json", "vocab.txt", "model.safetensors", "tokenizer_config.json"][
                content.length % 4
              ]!
              writeFileSync(join(valid, which), content)
              const exit = await run(readers.model(valid))
              expect(["ok", "clear error"]).toContain(classify(exit, "either", valid))
              return
            }
            writeFileSync(join(dir, "input"), content)
            const exit = await run(readers[reader](dir))
            expect(["ok", "clear error"]).toContain(classify(exit, "either", dir))
          }
        ),
        { numRuns, seed: 28 }
      ),
    300_000
  )
})
