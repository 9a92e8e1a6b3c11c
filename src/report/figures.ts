/**
 * Figures made elsewhere (the representation figure of `concner visualize`) for the HTML report:
 * every `.svg` under the runs folder, and files named on the command line (`.svg`, or the `.html`
 * page `concner visualize --html FILE` writes). They are embedded as `<img>` data URIs, not
 * inline: an image-embedded SVG runs no script and loads nothing, so a file from anywhere cannot
 * add either to the page.
 */
import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import { Data, Effect } from "effect"

export class FigureInvalid extends Data.TaggedError("FigureInvalid")<{
  readonly file: string
  readonly reason: string
}> {
  override get message() {
    return `${this.file}: ${this.reason}`
  }
}

export interface Figure {
  /** Where it came from, as the caption shows it. */
  readonly source: string
  readonly svg: string
}

/** The `<svg>…</svg>` element of an SVG file or of a page holding one. */
export const svgOf = (text: string, file: string): Effect.Effect<string, FigureInvalid> => {
  const start = text.search(/<svg[\s>]/)
  const end = text.lastIndexOf("</svg>")
  return start < 0 || end < start
    ? Effect.fail(new FigureInvalid({ file, reason: "holds no <svg> element" }))
    : Effect.succeed(text.slice(start, end + "</svg>".length))
}

export const readFigure = Effect.fn("Report.readFigure")(function* (file: string, source: string = file) {
  const fs = yield* FileSystem.FileSystem
  const ext = path.extname(file).toLowerCase()
  if (ext !== ".svg" && ext !== ".html")
    return yield* new FigureInvalid({ file, reason: "a figure is an .svg file or an .html page holding one" })
  const text = yield* fs
    .readFileString(file)
    .pipe(Effect.mapError((e) => new FigureInvalid({ file, reason: e.message })))
  return { source, svg: yield* svgOf(text, file) } satisfies Figure
})

/** Every `.svg` under `dir`, in path order, captioned by its path relative to `dir`. */
export const findFigures = Effect.fn("Report.findFigures")(function* (dir: string) {
  const fs = yield* FileSystem.FileSystem
  const files = (yield* fs.readDirectory(dir, { recursive: true }))
    .filter((f) => path.extname(f).toLowerCase() === ".svg")
    .sort()
  return yield* Effect.forEach(files, (f) => readFigure(path.join(dir, f), f))
})

/** The figure as an `<img>` source. */
export const figureDataUri = (figure: Figure): string =>
  `data:image/svg+xml;base64,${Buffer.from(figure.svg, "utf8").toString("base64")}`
