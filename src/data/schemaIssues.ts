/**
 * A Schema failure as one `field: reason` per issue. `ParseError.message` (TreeFormatter) opens with
 * the schema's whole type — `(ExperimentSpec (Encoded side) <-> ExperimentSpec)` — and gives the
 * field and reason lines below; a user needs them first.
 */
import { ParseResult } from "effect"

/** The issues of `error`, each `field: reason` (`name` renders the field's path, default `a.b`). */
export const schemaIssues = (
  error: ParseResult.ParseError,
  name: (path: ReadonlyArray<PropertyKey>) => string = (path) => path.map(String).join(".")
): Array<string> => {
  const issues = ParseResult.ArrayFormatter.formatErrorSync(error)
  // an optional field's "| undefined" branch adds a useless "Expected undefined" to each issue
  const useful = issues.filter((i) => !i.message.startsWith("Expected undefined"))
  const lines = (useful.length > 0 ? useful : issues).map((i) =>
    i.path.length === 0 ? i.message : `${name(i.path)}: ${i.message}`
  )
  return [...new Set(lines)]
}
