/**
 * Hyper-parameter variants: runs of one cell (corpus, language, size, method, protocol, encoder,
 * translation source) whose recorded specs differ in other fields (`protocol.maxSteps`, a method's
 * weights) are variants, reported side by side rather than averaged together or refused — as W&B's
 * run table groups runs by their config and shows the config keys that vary as columns.
 */

/** Spec fields that name a report row already (or the seed, which rows average over). */
const ROW_FIELDS = new Set([
  "corpus",
  "lang",
  "sourceSize",
  "seed",
  "method.name",
  "protocol.name",
  "model",
  "translations"
])

/** Whether a field names a row (`translations.engine` too: the source is part of the row). */
const namesRow = (field: string) => ROW_FIELDS.has(field) || field.startsWith("translations.")

/** A JSON value's leaves by dotted path (`protocol.maxSteps`); arrays and scalars are leaves. */
export const flattenSpec = (value: unknown, at = ""): Array<readonly [string, string]> => {
  if (typeof value === "object" && value !== null && !Array.isArray(value))
    return Object.keys(value)
      .sort()
      .flatMap((key) =>
        flattenSpec((value as Record<string, unknown>)[key], at === "" ? key : `${at}.${key}`)
      )
  return at === "" ? [] : [[at, JSON.stringify(value)]]
}

/** A value as a variant column shows it: strings unquoted, `–` for a field a spec lacks. */
const shown = (json: string | undefined) =>
  json === undefined ? "–" : json.startsWith('"') ? (JSON.parse(json) as string) : json

/**
 * The fields that tell variants apart: every spec field (not one naming the row) whose value differs
 * between two runs of one cell (`cellOf` gives a run's cell). Runs without a spec take no part.
 */
export const variantFields = <A>(
  runs: ReadonlyArray<A>,
  cellOf: (run: A) => string,
  specOf: (run: A) => unknown
): Array<string> => {
  const seen = new Map<string, Map<string, Set<string>>>()
  for (const run of runs) {
    const spec = specOf(run)
    if (spec === undefined) continue
    const cell = seen.get(cellOf(run)) ?? new Map<string, Set<string>>()
    seen.set(cellOf(run), cell)
    const fields = new Map(flattenSpec(spec).filter(([k]) => !namesRow(k)))
    for (const key of new Set([...cell.keys(), ...fields.keys()])) {
      const values = cell.get(key) ?? new Set<string>()
      values.add(fields.get(key) ?? "absent")
      cell.set(key, values)
    }
  }
  const varying = new Set<string>()
  for (const cell of seen.values()) for (const [key, values] of cell) if (values.size > 1) varying.add(key)
  return [...varying].sort()
}

/** A run's values of `fields` (see `variantFields`), as shown; empty for no fields. */
export const variantOf = (spec: unknown, fields: ReadonlyArray<string>): Record<string, string> => {
  const values = new Map(spec === undefined ? [] : flattenSpec(spec))
  return Object.fromEntries(fields.map((f) => [f, shown(values.get(f))]))
}
