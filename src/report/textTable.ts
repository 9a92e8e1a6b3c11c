/**
 * Markdown pipe tables padded so their columns line up in a terminal as well as render (what
 * pandas' `to_markdown` prints): `concner report` prints them, and they are the `.md` report.
 */

export type Align = "left" | "right"

export interface TextTable {
  readonly head: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
  /** Per column; left where not given. */
  readonly align?: ReadonlyArray<Align>
}

/** Display width: code points, as terminals draw `±`, `Δ` and `–` one cell wide. */
export const textWidth = (s: string): number => [...s].length

/** A Markdown table whose pipes line up; a right-aligned column's rule ends in `:`. */
export const markdownTable = (t: TextTable): string => {
  const rows = t.rows.map((r) => t.head.map((_, i) => (r[i] ?? "").replace(/\|/g, "\\|")))
  const w = t.head.map((h, i) => Math.max(textWidth(h), 3, ...rows.map((r) => textWidth(r[i]!))))
  const pad = (s: string, i: number) => {
    const fill = " ".repeat(w[i]! - textWidth(s))
    return t.align?.[i] === "right" ? fill + s : s + fill
  }
  const line = (cells: ReadonlyArray<string>) => `| ${cells.map(pad).join(" | ")} |`
  const rule = `|${w.map((n, i) => (t.align?.[i] === "right" ? `${"-".repeat(n + 1)}:` : "-".repeat(n + 2))).join("|")}|`
  return [line(t.head), rule, ...rows.map(line)].join("\n")
}
