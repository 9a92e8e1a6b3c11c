/**
 * Apertium (Debian `apertium` + a pair package such as `apertium-eng-spa`) as a line engine:
 * `apertium -f html <mode>` over the whole batch in one process. Each line is wrapped in
 * `<p>…</p>`: in plain or HTML text Apertium treats line breaks as blanks and reorders words
 * across them (`German\nEuropean Union` → `Unión\neuropea alemana`); a block element is a hard
 * sentence boundary (a batch of 14k lines still runs in one process). Output lines lacking their `<p>` wrapper are passed on unchanged, and the
 * markup parser then reports them as malformed. Unknown words come back marked `*word`.
 */
import { Command } from "@effect/platform"
import * as CommandExecutor from "@effect/platform/CommandExecutor"
import { Effect } from "effect"
import { EngineError, UnsupportedPairError } from "./errors.js"
import { type LineEngine, runProcessLines } from "./lineEngine.js"

/** Apertium's mark on words it could not translate. */
export const APERTIUM_UNKNOWN = "*"

// Apertium names pairs with ISO 639-3 codes (eng-spa); users pass ISO 639-1 (en, es).
// biome-ignore format: a table
const iso3: Record<string, string> = {
  en: "eng", es: "spa", ca: "cat", gl: "glg", pt: "por", fr: "fra", it: "ita", de: "deu", nl: "nld",
  eu: "eus", ar: "ara", hi: "hin", zh: "zho", oc: "oci", ro: "ron", af: "afr", bg: "bul", id: "ind",
  ms: "msa", tr: "tur", ur: "urd", kk: "kaz", sw: "swa", el: "ell", he: "heb", fa: "fas"
}

/** The modes `apertium -l` lists (e.g. `eng-spa`, `spa-eng`). */
export const apertiumModes = Effect.fn("Translator.apertiumModes")(function* () {
  const lines = yield* Command.lines(Command.make("apertium", "-l")).pipe(
    Effect.mapError(
      (e) =>
        new EngineError({
          engine: "apertium",
          reason: `\`apertium -l\` failed (${e.message}); on Debian: apt-get install apertium apertium-eng-spa`
        })
    )
  )
  return lines.map((l) => l.trim()).filter((l) => l !== "")
})

/** The installed mode translating `from` → `to`, or an error naming the installed ones. */
export const findMode = (
  modes: ReadonlyArray<string>,
  from: string,
  to: string
): Effect.Effect<string, UnsupportedPairError> => {
  const wanted = [`${from}-${to}`, `${iso3[from] ?? from}-${iso3[to] ?? to}`]
  const mode = wanted.find((m) => modes.includes(m))
  if (mode !== undefined) return Effect.succeed(mode)
  return Effect.fail(
    new UnsupportedPairError({
      engine: "apertium",
      from,
      to,
      reason: `none of ${wanted.join(", ")} installed (installed: ${modes.join(", ") || "none"}); \`apt-cache search apertium\` lists the Debian pair packages`
    })
  )
}

const wrapped = /^\s*<p>(.*)<\/p>\s*$/

/** `apertium -f html <mode>` with one `<p>` per line (see the module comment). */
export const apertiumEngine = (mode: string, executor: CommandExecutor.CommandExecutor): LineEngine => ({
  name: `apertium:${mode}:html`,
  run: (lines) =>
    runProcessLines(
      `apertium ${mode}`,
      // Through `cat`: the apertium script opens /dev/stdin by name, which fails (ENXIO) on the
      // socket Node gives a child as stdin; a pipe from cat opens fine. `mode` comes from `apertium -l`.
      ["sh", "-c", `cat | apertium -f html ${mode}`],
      lines.map((l) => `<p>${l}</p>`)
    ).pipe(
      Effect.map((out) => out.map((l) => wrapped.exec(l)?.[1] ?? l)),
      Effect.provideService(CommandExecutor.CommandExecutor, executor)
    )
})
