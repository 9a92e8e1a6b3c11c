/** The command line a person typed, as @effect/cli reads it. */
import { type CommandEntry, type CommandName, commandEntries } from "./commands.js"

/**
 * The command line as @effect/cli reads it: a renamed flag's old spelling (`renamed` in
 * commands.ts) becomes its name (chosen by its value, `--out=FILE` or `--out FILE`, where the old
 * flag became two), and a lone `-` (stdin) given before flags moves behind them
 * (@effect/cli stops reading flags at a word starting with `-`, so `evaluate - --json` failed).
 * A `-` right after a flag is that flag's value and stays.
 */
export const normalizeArgv = (command: CommandName, args: ReadonlyArray<string>): Array<string> => {
  const entry: CommandEntry | undefined = commandEntries.find((c) => c.name === command)
  const renamed = entry?.renamed ?? {}
  const named = args
    .filter((arg) => arg !== "--verbose")
    .map((arg, i, all) => {
      const [flag = arg, value] = arg.split(/=(.*)/s)
      const rename = renamed[flag]
      if (rename === undefined) return arg
      const name = typeof rename === "string" ? rename : rename(value ?? all[i + 1] ?? "")
      return value === undefined ? name : `${name}=${value}`
    })
  const stdin = named.flatMap((arg, i) => (arg === "-" && !named[i - 1]?.startsWith("-") ? [i] : []))
  return [...named.filter((_, i) => !stdin.includes(i)), ...stdin.map(() => "-")]
}
