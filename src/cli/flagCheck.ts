/**
 * Flags checked against the command's own before @effect/cli parses them: an unknown flag is named
 * with the nearest real one, a flag given twice is named as such. @effect/cli reports neither: for
 * `train --bogus` it asks for the first missing required flag (`Expected to find option: '--out'`),
 * for a repeated `--data` it calls the second one an unknown argument, and a value outside a flag's
 * choices gets "Expected one of the following cases" without the flag's name.
 */
import { Data } from "effect"
import { didYouMean } from "./closest.js"
import { commandOf, helpEntries } from "./help.js"
import type { AnyCommand } from "./modules.js"

export class FlagsInvalid extends Data.TaggedError("FlagsInvalid")<{ readonly reason: string }> {
  override get message() {
    return this.reason
  }
}

/** @effect/cli's own flags, which every command takes. */
const builtIns = ["--help", "--version", "--wizard", "--completions", "--log-level"]

/** The flags a (sub)command's help lists, by name: whether each takes a value, repeats, has choices. */
export const commandFlags = (descriptor: ReturnType<typeof commandOf>["descriptor"]) =>
  new Map(
    helpEntries(descriptor)
      .filter((e) => e.section === "OPTIONS")
      .map((e) => {
        // `--tag text...`: name, then its value's type (none for a boolean) or choices (`a | b`), `...` when repeatable
        const [name = "", ...type] = e.name.replace(/\.\.\.$/, "").split(" ")
        const choices = type.includes("|") ? type.filter((t) => t !== "|") : undefined
        return [name, { takesValue: type.length > 0, repeatable: e.name.endsWith("..."), choices }] as const
      })
  )

/** What is wrong with the flags of `args` for `command`, if anything. */
export const flagProblem = (command: AnyCommand, args: ReadonlyArray<string>): FlagsInvalid | undefined => {
  const { descriptor, full } = commandOf(command, args)
  const flags = commandFlags(descriptor)
  const seen = new Set<string>()
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--") break
    if (!arg.startsWith("--")) continue
    const [name = arg, value] = arg.split(/=(.*)/s)
    if (builtIns.includes(name)) continue
    const flag = flags.get(name)
    if (flag === undefined)
      return new FlagsInvalid({
        reason: `${full}: unknown flag ${name}${didYouMean(name, [...flags.keys()])}; \`${full} --help\` lists its flags`
      })
    if (seen.has(name) && !flag.repeatable)
      return new FlagsInvalid({ reason: `${full}: ${name} is given twice; give it once` })
    seen.add(name)
    const given = value ?? (flag.takesValue ? args[++i] : undefined)
    // @effect/cli's "Expected one of the following cases" does not say for which flag
    if (flag.choices !== undefined && given !== undefined && !flag.choices.includes(given))
      return new FlagsInvalid({
        reason: `${full}: ${name}: "${given}" is not one of ${flag.choices.join(", ")}${didYouMean(given, flag.choices)}`
      })
  }
  return undefined
}
