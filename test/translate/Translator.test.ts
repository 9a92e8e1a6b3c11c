import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { NodeContext } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { Corpora, DataRoot } from "../../src/data/Corpora.js"
import { pairsForSample } from "../../src/data/pairing.js"
import { Translator } from "../../src/translate/Translator.js"
import { EngineError, EngineOutputError, UnsupportedPairError } from "../../src/translate/errors.js"
import { dataRoot, hasData } from "../support/data.js"
import { sentence } from "./support.js"

const sources = [
  sentence("EU/B-ORG rejects/O German/B-MISC call/O to/O boycott/O British/B-MISC lamb/O ./O", 0),
  sentence("Peter/B-PER Blackburn/I-PER", 1),
  sentence("the/O <b>/O &/O house/O", 2)
]

const translate = <E>(layer: Layer.Layer<Translator, E, never>, input = sources) =>
  Effect.flatMap(Translator, (t) => t.translate(input)).pipe(Effect.provide(layer))

const command = (shell: string, cacheDir?: string) =>
  Translator.command({
    command: shell,
    from: "en",
    to: "xx",
    markup: { mode: "context", policy: "drop" },
    ...(cacheDir === undefined ? {} : { cacheDir })
  }).pipe(Layer.provide(NodeContext.layer))

/**
 * A cached `tee` engine in a scoped temp folder: `seen` counts the lines that reached the engine,
 * `cacheFile` finds the engine's cache file once something was translated.
 */
const cachedTee = Effect.gen(function* () {
  const fs = yield* FileSystem.FileSystem
  const dir = yield* fs.makeTempDirectoryScoped()
  const log = path.join(dir, "seen.txt")
  const cacheDir = path.join(dir, "cache/translate")
  return {
    engine: command(`tee -a ${log}`, path.join(dir, "cache")),
    seen: Effect.map(fs.readFileString(log), (text) => text.split("\n").length - 1),
    cacheFile: Effect.map(fs.readDirectory(cacheDir), ([file]) => path.join(cacheDir, file!))
  }
})

layer(NodeContext.layer)("Translator.command", (it) => {
  it.effect("an identity command gives every sentence back, labels included", () =>
    Effect.gen(function* () {
      const { sentences, report } = yield* translate(command("cat"))
      expect(sentences.map((s) => s.target)).toStrictEqual(sources.map((s) => s.sentence))
      expect(report).toMatchObject({ sentences: 3, kept: 3, dropped: 0, keptPercent: 100 })
    })
  )

  it.effect("reports what a command did to the markup", () =>
    Effect.gen(function* () {
      const { sentences, report } = yield* translate(
        command(`sed 's/class="PER"/class="PERSON"/; s/id="e1"/id="e5"/'`)
      )
      expect(sentences.map((s) => s.verdict.kind)).toStrictEqual(["dropped", "dropped", "kept"])
      expect(report.droppedBy).toMatchObject({ "renamed-type": 1, "lost-entity": 1 })
      expect(report.spans).toMatchObject({ renamed: 1, lost: 1, extra: 1 })
    })
  )

  it.effect("fails on a broken line protocol or a failing command", () =>
    Effect.gen(function* () {
      const twice = yield* Effect.exit(translate(command("awk '{print; print}'")))
      expect(twice).toStrictEqual(
        Exit.fail(new EngineOutputError({ engine: `"awk '{print; print}'"`, expected: 3, got: 6 }))
      )
      const failing = yield* Effect.flip(translate(command("echo broken >&2; exit 3")))
      expect(failing).toBeInstanceOf(EngineError)
      expect(failing.message).toContain("exited with code 3: broken")
    })
  )

  it.scoped("caches by content hash: only new lines reach the engine", () =>
    Effect.gen(function* () {
      const { engine, seen } = yield* cachedTee
      yield* translate(engine, sources.slice(0, 2))
      expect(yield* seen).toBe(2)
      const again = yield* translate(engine, sources.slice(0, 2))
      expect(again.report.kept).toBe(2)
      expect(yield* seen).toBe(2)
      const more = yield* translate(engine, sources)
      expect(more.sentences.map((s) => s.target)).toStrictEqual(sources.map((s) => s.sentence))
      expect(yield* seen).toBe(3)
    })
  )

  it.scoped("a partial last cache line (a killed write) is cut off and its line translated again", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const { engine, seen, cacheFile } = yield* cachedTee
      yield* translate(engine, sources.slice(0, 2))
      const cache = yield* cacheFile
      const whole = yield* fs.readFileString(cache)
      const lines = whole.split("\n").filter((l) => l !== "")
      expect(lines).toHaveLength(2)
      yield* fs.writeFileString(cache, `${lines[0]}\n${lines[1]!.slice(0, 20)}`)
      const again = yield* translate(engine, sources)
      expect(again.sentences.map((s) => s.target)).toStrictEqual(sources.map((s) => s.sentence))
      // 2 lines first, then the torn one and the new one
      expect(yield* seen).toBe(4)
      const mended = (yield* fs.readFileString(cache)).split("\n").filter((l) => l !== "")
      expect(mended).toHaveLength(3)
      expect(mended.map((l) => JSON.parse(l) as unknown)).toHaveLength(3)
      yield* translate(engine, sources)
      expect(yield* seen).toBe(4)
    })
  )

  it.scoped("a bad cache line before the last one is an error naming the file and line", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const { engine, cacheFile } = yield* cachedTee
      yield* translate(engine, sources.slice(0, 2))
      const cache = yield* cacheFile
      yield* fs.writeFileString(cache, `{oops\n${yield* fs.readFileString(cache)}`)
      const error = yield* Effect.flip(translate(engine, sources))
      expect(error).toBeInstanceOf(EngineError)
      expect(error.message).toContain(`cache ${cache}: line 1 is not JSON`)
    })
  )
})

layer(NodeContext.layer)("Translator.dictionary and Translator.imported", (it) => {
  it.scoped("dictionary: tags copied, coverage reported, marked as an approximation", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const root = yield* fs.makeTempDirectoryScoped()
      yield* fs.makeDirectory(path.join(root, "dictionaries/muse"), { recursive: true })
      const file = path.join(root, "dictionaries/muse/en-es.txt")
      yield* fs.writeFileString(file, "rejects rechaza\ncall llamada\nthe la\nhouse casa\n")
      const layer = Translator.dictionary({ from: "en", to: "es" }).pipe(
        Layer.provide(Layer.mergeAll(NodeContext.layer, DataRoot.at(root)))
      )
      const { sentences, report } = yield* translate(layer)
      expect(sentences[0]!.target).toStrictEqual({
        ...sources[0]!.sentence,
        tokens: ["EU", "rechaza", "German", "llamada", "to", "boycott", "British", "lamb", "."]
      })
      // looked up: rejects call to boycott lamb | the house (entities and `.`, `&` skipped; <b> has a letter)
      expect(report.tokens.untranslated).toBe(4)
      expect(report.coverage).toBe(50)
      expect(report.notes[0]).toContain("not machine translation")
    })
  )

  it.scoped("imported: verdicts from the published pairing", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const root = yield* fs.makeTempDirectoryScoped()
      const files: Record<string, string> = {
        "conll/en/train.txt": "EU B-ORG\nrejects O\n\nPeter B-PER\n\nBonn B-LOC\n\nx O\n\n",
        "translations/conll2003-en-train/mulda/es/train.txt":
          "UE B-ORG\nrechaza O\n\nPeter B-PER\n\nBonn B-ORG\n\n",
        "translations/conll2003-en-train/mulda/es/train.src_idx": "0\n-1\n2\n"
      }
      for (const [file, text] of Object.entries(files)) {
        yield* fs.makeDirectory(path.dirname(path.join(root, file)), { recursive: true })
        yield* fs.writeFileString(path.join(root, file), text)
      }
      const input = [
        sentence("EU/B-ORG rejects/O", 0),
        sentence("Peter/B-PER", 1),
        sentence("Bonn/B-LOC", 2),
        sentence("EU/B-ORG accepts/O", 0)
      ]
      const imported = (policy: "drop" | "keep") =>
        Translator.imported({ system: "mulda", from: "en", to: "es", policy }).pipe(
          Layer.provide(Corpora.at(root))
        )
      const dropped = yield* translate(imported("drop"), input)
      expect(
        dropped.sentences.map((s) => (s.verdict.kind === "dropped" ? s.verdict.reason : s.verdict.kind))
      ).toStrictEqual(["kept", "no-translation", "type-mismatch", "source-mismatch"])
      expect(dropped.sentences[0]!.target?.tokens).toStrictEqual(["UE", "rechaza"])
      const kept = yield* translate(imported("keep"), input)
      expect(kept.report).toMatchObject({ kept: 2, dropped: 2, typeAgreement: { agree: 1, of: 2 } })
      const unsupported = yield* Effect.flip(
        translate(
          Translator.imported({ system: "mulda", from: "de", to: "es", policy: "drop" }).pipe(
            Layer.provide(Corpora.at(root))
          )
        )
      )
      expect(unsupported).toBeInstanceOf(UnsupportedPairError)
    })
  )
})

const apertium = spawnSync("apertium", ["-l"], { encoding: "utf8" })
const hasApertium = apertium.status === 0 && apertium.stdout.includes("eng-spa")
if (!hasApertium)
  console.warn(
    "[concner tests] apertium with eng-spa not installed: Apertium tests skipped (Debian: apt-get install apertium apertium-eng-spa)"
  )

describe.skipIf(!hasApertium)("Translator.apertium (real Apertium en→es)", () => {
  const apertiumLayer = (options: { to: string; mode?: "placeholder" | "context" }) =>
    Translator.apertium({ from: "en", policy: "drop", ...options }).pipe(Layer.provide(NodeContext.layer))

  it.effect("translates with placeholders; labels stay on the entities", () =>
    Effect.gen(function* () {
      const { sentences, report } = yield* translate(apertiumLayer({ to: "es" }))
      expect(report.kept).toBe(3)
      const first = sentences[0]!.target!
      const entities = first.tokens.flatMap((t, i) =>
        first.tags[i] === "O" ? [] : [`${t}/${first.tags[i]}`]
      )
      expect(entities).toStrictEqual(["UE/B-ORG", "Alemán/B-MISC", "Británico/B-MISC"])
      expect(sentences[1]!.target?.tags).toStrictEqual(["B-PER", "I-PER"])
      expect(report.tokens.untranslated).toBeGreaterThan(0) // Blackburn is unknown to Apertium
    })
  )

  it.effect("says which pairs are installed when one is missing", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(translate(apertiumLayer({ to: "zz" })))
      expect(error).toBeInstanceOf(UnsupportedPairError)
      expect(error.message).toContain("installed: ")
    })
  )
})

if (!hasData) console.warn(`[concner tests] ${dataRoot} absent: real-data translation tests skipped`)

describe.skipIf(!hasData)("real data", () => {
  const layers = Layer.mergeAll(Corpora.at(dataRoot), NodeContext.layer)
  it.effect("imported mulda es agrees with the data layer's pairing on a sample", () =>
    Effect.gen(function* () {
      const corpora = yield* Corpora
      const sample = yield* corpora.sample({ corpus: "conll", lang: "en", split: "train" }, 200, 5)
      const layer = Translator.imported({ system: "mulda", from: "en", to: "es", policy: "keep" }).pipe(
        Layer.provide(Corpora.at(dataRoot))
      )
      const { report } = yield* translate(layer, sample)
      const set = yield* corpora.translations({ system: "mulda", lang: "es" }, "keep")
      const { pairs, missing } = pairsForSample(
        set,
        sample.map((s) => s.index)
      )
      expect(report).toMatchObject({ sentences: 200, kept: pairs.length, dropped: missing.length })
      expect(report.typeAgreement.agree).toBe(pairs.filter((p) => p.sameTypes).length)
    }).pipe(Effect.provide(layers))
  )

  it.effect("dictionary ar on WikiAnn English keeps every sentence and reports coverage", () =>
    Effect.gen(function* () {
      const corpora = yield* Corpora
      const sample = yield* corpora.sample({ corpus: "wikiann", lang: "en", split: "train" }, 300, 5)
      const layer = Translator.dictionary({ from: "en", to: "ar" }).pipe(
        Layer.provide(Layer.mergeAll(NodeContext.layer, DataRoot.at(dataRoot)))
      )
      const { sentences, report } = yield* translate(layer, sample)
      expect(report.kept).toBe(300)
      expect(sentences.every((s) => s.target!.tokens.length === s.source.tokens.length)).toBe(true)
      expect(report.coverage).toBeGreaterThan(30)
      expect(report.coverage).toBeLessThan(95)
    }).pipe(Effect.provide(layers))
  )
})
