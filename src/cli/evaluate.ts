/**
 * `concner evaluate FILE|- [--scheme conlleval|iob2|iobes] [--json]`: scores conlleval input
 * (gold tag second to last, predicted tag last) and prints conlleval's report or the JSON contract
 * `{"overall":{precision,recall,f1,correct,gold,predicted},"types":{TYPE:{…}}}`.
 */
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect } from "effect"
import { readTextInput } from "../data/index.js"
import { checkTags, decodeConlleval, formatReport, scoreConlleval, scoreStrict } from "../eval/index.js"
import { describe } from "./commands.js"
import { defaultTo, jsonOption } from "./common.js"

const file = Args.text({ name: "FILE" }).pipe(
  Args.withDescription(
    "conlleval input (… gold predicted per line, blank line between sentences); - reads stdin"
  )
)
const scheme = Options.choice("scheme", ["conlleval", "iob2", "iobes"]).pipe(
  defaultTo("conlleval"),
  Options.withDescription(
    "conlleval: conlleval.pl's chunk rules (reads IOB1 and IOB2 alike); iob2|iobes: every tag checked against the scheme, then exact spans scored; an I- that continues no entity starts one, as in conlleval and seqeval's default mode (seqeval's strict mode drops it)"
  )
)
const lenient = Options.boolean("lenient").pipe(
  Options.withDescription(
    "conlleval mode: score any tag as conlleval.pl does (X-PER, B-, PER) instead of failing on a tag in no scheme"
  )
)
const json = jsonOption.pipe(Options.withDescription("print scores as JSON"))

export const evaluateCommand = Command.make("evaluate", { file, scheme, lenient, json }, (flags) =>
  Effect.gen(function* () {
    const name = flags.file === "-" ? "<stdin>" : flags.file
    const input = yield* decodeConlleval(yield* readTextInput(flags.file), name)
    if (flags.scheme === "conlleval" && !flags.lenient) yield* checkTags(input.sentences, name)
    const scores =
      flags.scheme === "conlleval"
        ? scoreConlleval(input.sentences, input.finalBoundary)
        : yield* scoreStrict(input.sentences, flags.scheme === "iob2" ? "IOB2" : "IOBES", name)
    yield* Console.log(
      flags.json
        ? JSON.stringify({ overall: scores.overall, types: scores.types })
        : formatReport(scores).trimEnd()
    )
  })
).pipe(Command.withDescription(describe("evaluate")))
