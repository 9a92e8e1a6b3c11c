/**
 * `concner COMMAND … --help`: the command's help as plain text fitted to the terminal (no ANSI:
 * it is read in pipes and files too), from what @effect/cli knows of it — its description, its
 * usage under its full name (`concner vocab train`, where @effect/cli prints `$ train`), each
 * argument and flag with its description and default — without @effect/cli's type boilerplate
 * ("A user-defined piece of text."). A command with subcommands lists them one per line.
 */
import { CliConfig, CommandDescriptor, HelpDoc, type Span, Usage } from "@effect/cli"
import { HashMap, Option } from "effect"
import type { AnyCommand } from "./modules.js"
import { wrap } from "./wrap.js"

type Descriptor = CommandDescriptor.Command<unknown>

const config = CliConfig.make({ showBuiltIns: false })

const spanText = (span: Span.Span): string => {
  switch (span._tag) {
    case "Text":
    case "URI":
      return span.value
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
    default:
      return spanText(span.value)
  }
}

const blocks = (doc: HelpDoc.HelpDoc): Array<HelpDoc.HelpDoc> =>
  doc._tag === "Sequence" ? [...blocks(doc.left), ...blocks(doc.right)] : doc._tag === "Empty" ? [] : [doc]

const paragraphs = (doc: HelpDoc.HelpDoc): Array<string> =>
  blocks(doc).flatMap((b) => (b._tag === "Paragraph" ? [spanText(b.value)] : []))

/** @effect/cli's note on a flag that may be given any number of times, none included. */
const ZERO_OR_MORE = "This option may be repeated zero or more times."

/**
 * What a flag's or an argument's help says, less @effect/cli's first paragraph (its type, which
 * the name line shows) and with its optional/default/repeated notes made short.
 */
export const describeEntry = (doc: HelpDoc.HelpDoc): string =>
  paragraphs(doc)
    .slice(1)
    .flatMap((p) => {
      const defaulted = /^This setting is optional\. Defaults to: (.*)$/s.exec(p)
      if (defaulted) return [`(default: ${defaulted[1]})`]
      if (p === "This setting is optional.") return []
      if (/^This option must be repeated at least \d+ times?\.$/.test(p) || p === ZERO_OR_MORE)
        return ["(repeatable)"]
      return [p]
    })
    // defaults last, whichever came first
    .sort((a, b) => Number(a.startsWith("(default")) - Number(b.startsWith("(default")))
    .join(" ")

/** The flags and arguments of a command: name (with its type) and description. */
export const helpEntries = (
  descriptor: Descriptor
): Array<{
  readonly section: string
  readonly name: string
  readonly description: string
  /** A flag that may be left out or repeated (`[--tag text]...` in the usage). */
  readonly optionalRepeated: boolean
}> => {
  let section = ""
  return blocks(CommandDescriptor.getHelp(descriptor, config)).flatMap((b) => {
    if (b._tag === "Header") section = spanText(b.value)
    if (b._tag !== "DescriptionList" || (section !== "OPTIONS" && section !== "ARGUMENTS")) return []
    return b.definitions.map(([name, doc]) => ({
      section,
      name: spanText(name),
      description: describeEntry(doc),
      optionalRepeated: paragraphs(doc).includes(ZERO_OR_MORE)
    }))
  })
}

const descriptionOf = (descriptor: Descriptor): string => {
  const all = blocks(CommandDescriptor.getHelp(descriptor, config))
  const at = all.findIndex((b) => b._tag === "Header" && spanText(b.value) === "DESCRIPTION")
  const next = all[at + 1]
  return at >= 0 && next?._tag === "Paragraph" ? spanText(next.value) : ""
}

/**
 * The subcommands of a command that has them (`vocab`: `train`), in their declared order (the
 * order of @effect/cli's COMMANDS list, each line of which starts with the name); none for any other.
 */
export const subcommandsOf = (descriptor: Descriptor): Array<[string, Descriptor]> => {
  const all = blocks(CommandDescriptor.getHelp(descriptor, config))
  const at = all.findIndex((b) => b._tag === "Header" && spanText(b.value) === "COMMANDS")
  const list = all[at + 1]
  if (at === -1 || list?._tag !== "Enumeration") return []
  const children = CommandDescriptor.getSubcommands(descriptor)
  return list.elements.flatMap((line) => {
    const name = paragraphs(line)[0]?.split(" ")[0] ?? ""
    return Option.match(HashMap.get(children, name), { onNone: () => [], onSome: (d) => [[name, d]] })
  })
}

/**
 * The command `words` name under `command` (`["vocab", "train"]` → vocab's train), as deep as
 * they go, with its full name.
 */
const resolve = (command: Descriptor, words: ReadonlyArray<string>) => {
  let found = command
  const path: Array<string> = []
  for (const word of words) {
    const child = subcommandsOf(found).find(([name]) => name === word)
    if (child === undefined) break
    found = child[1]
    path.push(word)
  }
  return { descriptor: found, path }
}

/** The (sub)command of `command` the words of `argv` name (flags ignored), with its full name. */
export const commandOf = (command: AnyCommand, argv: ReadonlyArray<string>) => {
  const name = spanText(HelpDoc.getSpan(Usage.getHelp(CommandDescriptor.getUsage(command.descriptor)))).split(
    " "
  )[0]!
  const words = argv.filter((a) => !a.startsWith("-"))
  const { descriptor, path } = resolve(command.descriptor, words.slice(words.indexOf(name) + 1))
  return { descriptor, full: ["concner", name, ...path].join(" ") }
}

/** The help of the (sub)command of `command` named by the words of `argv` (flags ignored), `width` columns wide. */
export const renderHelp = (command: AnyCommand, argv: ReadonlyArray<string>, width: number): string => {
  const { descriptor, full } = commandOf(command, argv)
  const description = descriptionOf(descriptor)
  const subcommands = subcommandsOf(descriptor)
  const lines = [...wrap(`${full}: ${description}`, width), ""]
  if (subcommands.length > 0) {
    const pad = Math.max(...subcommands.map(([n]) => n.length))
    return [
      ...lines,
      "USAGE",
      `  ${full} COMMAND [FLAGS]     ${full} COMMAND --help`,
      "",
      "COMMANDS",
      ...subcommands.flatMap(([n, d]) =>
        wrap(descriptionOf(d), width, " ".repeat(pad + 4), `  ${n.padEnd(pad)}  `)
      ),
      ""
    ].join("\n")
  }
  const entries = helpEntries(descriptor)
  // the usage without the command's own name, which `full` gives in full; a flag that may be left
  // out shows so even when repeatable (@effect/cli writes `--tag text...`, which reads as required)
  const usage = entries.reduce(
    (text, e) => (e.optionalRepeated ? text.replace(e.name, `[${e.name.replace(/\.\.\.$/, "")}]...`) : text),
    spanText(HelpDoc.getSpan(Usage.getHelp(CommandDescriptor.getUsage(descriptor))))
      .split(" ")
      .slice(1)
      .join(" ")
  )
  const section = (title: string) => {
    const shown = entries.filter((e) => e.section === title)
    return shown.length === 0
      ? []
      : [
          title,
          ...shown.flatMap((e) => [
            ...wrap(e.name, width, "      ", "  "),
            ...wrap(e.description, width, "      ")
          ]),
          ""
        ]
  }
  return [
    ...lines,
    "USAGE",
    ...wrap(`${full} ${usage}`, width, "    ", "  "),
    "",
    ...section("ARGUMENTS"),
    ...section("OPTIONS"),
    ""
  ].join("\n")
}

/** The width help is fitted to: the terminal's, else `COLUMNS`, else 80. */
export const helpWidth = (): number => process.stdout.columns ?? (Number(process.env.COLUMNS) || 80)
