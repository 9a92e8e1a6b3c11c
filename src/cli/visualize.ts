/**
 * `concner visualize --model DIR --lang en,de,… [--out FILE.svg|.html]`: the token-vector figure
 * (2-D UMAP, coloured by gold label, shaped by language), with progress on stderr while the
 * sentences are encoded and UMAP runs; `concner visualize --results DIR`: test F1 per target
 * language and method for the runs under DIR (the 27-language figure).
 */
import * as path from "node:path"
import { Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Data, Effect, Option } from "effect"
import { writeFileStringAtomic } from "../records/index.js"
import { describe } from "./commands.js"
import {
  backendOption,
  dataAndRuntime,
  dataOption,
  defaultTo,
  integerOption,
  modelOption,
  outFileOption,
  progressLayer,
  quietOption,
  seedOption,
  sourceSizeOption
} from "./common.js"

/** Neither or both figures asked for. */
export class VisualizeUsage extends Data.TaggedError("VisualizeUsage")<{ readonly reason: string }> {
  override get message() {
    return `visualize: ${this.reason}`
  }
}

const model = modelOption.pipe(
  Options.optional,
  Options.withDescription("a model folder: draw its token vectors")
)
const langs = Options.text("lang").pipe(
  defaultTo("en,de,es,nl"),
  Options.withDescription("languages, comma-separated")
)
const corpus = Options.choice("corpus", ["conll", "wikiann"]).pipe(
  defaultTo("conll" as const),
  Options.withDescription("the corpus whose sentences are drawn")
)
const split = Options.choice("split", ["test", "dev", "train"]).pipe(
  defaultTo("test" as const),
  Options.withDescription("the split whose sentences are drawn")
)
const perLang = integerOption("per-lang").pipe(defaultTo(300), Options.withDescription("words per language"))
const includeO = Options.boolean("include-o").pipe(Options.withDescription("draw words tagged O too"))
const seed = seedOption.pipe(defaultTo(1), Options.withDescription("seed of the drawn words and of UMAP"))
const maxLength = integerOption("max-length").pipe(
  defaultTo(128),
  Options.withDescription("subwords per sentence fed to the model")
)
const results = Options.directory("results", { exists: "yes" }).pipe(
  Options.optional,
  Options.withDescription("a folder of runs: draw F1 per language")
)
const sourceSize = sourceSizeOption.pipe(
  Options.optional,
  Options.withDescription("with --results: only runs of this many English sentences")
)
const out = outFileOption.pipe(
  defaultTo("visualize.svg"),
  Options.withDescription("FILE.svg, or FILE.html for a page holding the SVG")
)
const data = dataOption
const backend = backendOption

export const visualizeCommand = Command.make(
  "visualize",
  {
    model,
    langs,
    corpus,
    split,
    perLang,
    includeO,
    seed,
    maxLength,
    results,
    sourceSize,
    out,
    data,
    backend,
    quiet: quietOption
  },
  (flags) =>
    Effect.gen(function* () {
      if (Option.isSome(flags.model) === Option.isSome(flags.results))
        return yield* new VisualizeUsage({
          reason: "give --model DIR (token vectors) or --results DIR (F1 per language), one of them"
        })
      // vega, vega-lite and umap-js take ~0.7 s to load: only this command pays for them
      const { renderSvg, svgPage } = yield* Effect.promise(() => import("../report/index.js"))
      const { resultsFigure, tokenFigure } = yield* Effect.promise(() => import("../report/index.js"))
      const figure = Option.isSome(flags.model)
        ? yield* Effect.scoped(
            tokenFigure({
              model: flags.model.value,
              corpus: flags.corpus,
              langs: flags.langs
                .split(",")
                .map((l) => l.trim())
                .filter((l) => l !== ""),
              split: flags.split,
              perLang: flags.perLang,
              includeO: flags.includeO,
              seed: flags.seed,
              maxLength: flags.maxLength,
              batchSize: 32
            })
          ).pipe(Effect.provide(progressLayer(flags.quiet)))
        : yield* resultsFigure(Option.getOrThrow(flags.results), Option.getOrUndefined(flags.sourceSize))
      const svg = yield* Effect.promise(() => renderSvg(figure.spec))
      const html = path.extname(flags.out).toLowerCase() === ".html"
      const fs = yield* FileSystem.FileSystem
      yield* fs.makeDirectory(path.dirname(path.resolve(flags.out)), { recursive: true })
      yield* writeFileStringAtomic(
        flags.out,
        html ? svgPage(svg, String(figure.spec.title ?? "concner")) : svg
      )
      yield* Console.log(flags.out)
    }).pipe(Effect.provide(dataAndRuntime(flags)))
).pipe(Command.withDescription(describe("visualize")))
