import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { normalizeArgv } from "../../src/cli/argv.js"
import { commandEntries } from "../../src/cli/commands.js"
import { helpEntries, renderHelp, subcommandsOf } from "../../src/cli/help.js"
import { load } from "../../src/cli/modules.js"
import { concner } from "../support/cli.js"

const ESC = String.fromCharCode(27)

describe("help", () => {
  it.effect(
    "every flag and argument of every command is described, and no help line is wider than the terminal",
    () =>
      Effect.gen(function* () {
        const undescribed: Array<string> = []
        for (const entry of commandEntries) {
          const command = yield* Effect.promise(load[entry.name])
          const descriptors = [command.descriptor, ...subcommandsOf(command.descriptor).map(([, d]) => d)]
          for (const descriptor of descriptors)
            for (const e of helpEntries(descriptor))
              if (e.description === "" || e.description.startsWith("(default"))
                undescribed.push(`${entry.name}: ${e.name}`)
          const words = [entry.name, ...subcommandsOf(command.descriptor).map(([n]) => n)]
          for (const word of words) {
            const text = renderHelp(command, [entry.name, word, "--help"], 80)
            expect(text).toContain(`concner ${entry.name}`)
            expect(text).not.toContain(ESC)
            for (const line of text.split("\n")) expect(line.length, line).toBeLessThanOrEqual(80)
          }
        }
        expect(undescribed).toStrictEqual([])
      }),
    180_000
  )

  it.effect("a subcommand's usage names the full command; defaults are shown", () =>
    Effect.gen(function* () {
      const vocab = yield* Effect.promise(load.vocab)
      const text = renderHelp(vocab, ["vocab", "train", "--help"], 100)
      expect(text).toMatch(/^USAGE\n {2}concner vocab train --corpus/m)
      expect(text).toContain("(default: frequency)")
      const train = renderHelp(yield* Effect.promise(load.train), ["train", "--help"], 100)
      expect(train).toMatch(
        /--epochs integer\n +teacher epochs \(protocol default: paper 30, cpu 20, xlmr 10\)/
      )
      // a flag that may be left out or repeated reads so in the usage, and its note is one word
      expect(train.replace(/\n {4}/g, " ")).toContain("[--tag text]...")
      expect(train).toMatch(/--tag text\.\.\.\n +a tag for the run, recorded in run\.json \(repeatable\)\n/)
      // one name for a written file: --svg FILE and --html FILE, as report's --html FILE; --out is a folder elsewhere
      const visualize = renderHelp(yield* Effect.promise(load.visualize), ["visualize", "--help"], 100)
      expect(visualize).toMatch(/--svg file\n +write the figure to FILE as SVG/)
      expect(visualize).toMatch(/--html file\n +write FILE: an HTML page/)
      expect(visualize).toContain("--quiet")
      expect(visualize).not.toContain("--out")
    })
  )

  it("old spellings of renamed flags still work; a lone - moves behind the flags", () => {
    expect(normalizeArgv("translate", ["--batch", "5", "--batch=6"])).toStrictEqual([
      "--batch-size",
      "5",
      "--batch-size=6"
    ])
    expect(normalizeArgv("pretrain", ["--steps", "2"])).toStrictEqual(["--max-steps", "2"])
    expect(normalizeArgv("visualize", ["--langs", "en,de", "--size", "500"])).toStrictEqual([
      "--lang",
      "en,de",
      "--source-size",
      "500"
    ])
    // visualize's --out FILE became --svg FILE and --html FILE: the file's extension picks one
    expect(normalizeArgv("visualize", ["--out", "fig.HTML", "--out=fig.svg", "--out", "fig"])).toStrictEqual([
      "--html",
      "fig.HTML",
      "--svg=fig.svg",
      "--svg",
      "fig"
    ])
    expect(normalizeArgv("evaluate", ["evaluate", "-", "--json"])).toStrictEqual(["evaluate", "--json", "-"])
    // the value of a flag stays where it is
    expect(normalizeArgv("translate", ["--input", "-", "--to", "de"])).toStrictEqual([
      "--input",
      "-",
      "--to",
      "de"
    ])
  })

  describe("the CLI", () => {
    it.effect("root help: one line per command within 60 lines at 100 columns, no ESC bytes piped", () =>
      Effect.gen(function* () {
        const run = yield* concner(["--help"], { env: { COLUMNS: "100" } })
        expect(run.status).toBe(0)
        const lines = run.stdout.trimEnd().split("\n")
        expect(lines.length).toBeLessThanOrEqual(60)
        for (const line of lines) expect(line.length).toBeLessThanOrEqual(100)
        for (const entry of commandEntries.filter((c) => !("internal" in c)))
          expect(run.stdout).toMatch(new RegExp(`^ {2}${entry.name} +\\S`, "m"))
        expect(run.stdout).not.toContain(ESC)
      })
    )

    it.effect(
      "subcommand help and @effect/cli's errors carry no ESC bytes in a pipe; evaluate - --json reads stdin",
      () =>
        Effect.gen(function* () {
          const help = yield* concner(["vocab", "train", "--help"])
          expect(help.status).toBe(0)
          expect(help.stdout).toContain("concner vocab train --corpus")
          expect(help.stdout + help.stderr).not.toContain(ESC)
          const bad = yield* concner(["evaluate", "--scheme", "bogus", "-"], { env: { NO_COLOR: "1" } })
          expect(bad.status).not.toBe(0)
          expect(bad.stderr).not.toBe("")
          expect(bad.stderr).not.toContain(ESC)
          const scored = yield* concner(["evaluate", "-", "--json"], { input: "EU B-ORG B-ORG\n" })
          expect(scored.stderr).toBe("")
          expect(JSON.parse(scored.stdout).overall.f1).toBe(100)
        }),
      120_000
    )
  })
})
