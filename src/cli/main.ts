/**
 * The `concner` executable. Every subcommand lives in its own file and is thin (parse flags, build
 * layers, call a stage); only the one named on the command line is loaded, with the stages it
 * imports (`execute.ts`). Without a command, `--version` and the root help come from
 * `commands.ts` alone: nothing else is loaded.
 */
import { readFileSync } from "node:fs"
import { didYouMean } from "./closest.js"
import { commandEntries } from "./commands.js"
import { wrap } from "./wrap.js"

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  readonly version: string
}

/** The root help: one line per command, plain text (no ANSI: it is read in files and pipes too). */
const rootHelp = (columns: number): string => {
  const shown = commandEntries.filter((c) => !("internal" in c))
  const width = Math.max(...shown.map((c) => c.name.length))
  return [
    `concner ${version}: cross-lingual NER with scarce source labels (ConCNER)`,
    "",
    "USAGE",
    "  concner COMMAND [FLAGS]     concner COMMAND --help     concner --version",
    "",
    "COMMANDS",
    ...shown.flatMap((c) =>
      wrap(c.description, columns, " ".repeat(width + 4), `  ${c.name.padEnd(width)}  `)
    ),
    ""
  ].join("\n")
}

const argv = process.argv.slice(2)
const named = argv.find((a) => !a.startsWith("-"))
const command = commandEntries.find((c) => c.name === named)?.name

if (command !== undefined) {
  const { execute } = await import("./execute.js")
  execute(command, version)
} else if (argv.length === 1 && argv[0] === "--version") {
  process.stdout.write(`${version}\n`)
} else {
  if (named !== undefined)
    process.stderr.write(
      `concner: unknown command "${named}"${didYouMean(
        named,
        commandEntries.map((c) => c.name)
      )}\n\n`
    )
  process.stdout.write(rootHelp(process.stdout.columns ?? (Number(process.env.COLUMNS) || 80)))
  if (named !== undefined || argv.some((a) => a !== "--help" && a !== "-h")) process.exitCode = 1
}
