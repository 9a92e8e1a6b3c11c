/**
 * `concner visualize --model DIR --lang en,de,… [--svg FILE] [--html FILE]`: the token-vector
 * figure (2-D UMAP, coloured by gold label, shaped by language), with progress on stderr while the
 * sentences are encoded and UMAP runs; `concner visualize --results DIR`: test F1 per target
 * language and method for the runs under DIR (the 27-language figure). `--out FILE`, the old
 * spelling, is `--html` for a `.html` file and `--svg` otherwise (commands.ts).
 */
import { Command, Options } from "@effect/cli"
import { Data, Effect, Option } from "effect"
import { describe } from "./commands.js"
import {
  backendOption,
  dataAndRuntime,
  dataOption,
  defaultTo,
  htmlFileOption,
  integerOption,
  modelOption,
  progressLayer,
  quietOption,
  seedOption,
  sourceSizeOption,
  writeOutputFile
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
const svg = Options.file("svg").pipe(
  Options.optional,
  Options.withDescription("write the figure to FILE as SVG (default, without --html: visualize.svg)")
)
const html = htmlFileOption.pipe(
  Options.optional,
  Options.withDescription("write FILE: an HTML page holding the figure (for `concner report --figure`)")
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
    svg,
    html,
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
      const { renderSvg, resultsFigure, svgPage, tokenFigure } = yield* Effect.promise(
        () => import("../report/index.js")
      )
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
      const drawn = yield* Effect.promise(() => renderSvg(figure.spec))
      const svgFile = Option.isNone(flags.html)
        ? Option.orElseSome(flags.svg, () => "visualize.svg")
        : flags.svg
      if (Option.isSome(svgFile)) yield* writeOutputFile(svgFile.value, drawn)
      if (Option.isSome(flags.html))
        yield* writeOutputFile(flags.html.value, svgPage(drawn, String(figure.spec.title ?? "concner")))
    }).pipe(Effect.provide(dataAndRuntime(flags)))
).pipe(Command.withDescription(describe("visualize")))
