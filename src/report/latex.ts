/**
 * `concner report DIR --latex FILE`: the report as LaTeX tables for a paper, as pandas'
 * `Styler.to_latex` with booktabs would write them — per (protocol, encoder, corpus) one table with
 * a row per (size, method, variant) and a column per target language, each cell `mean ± std` over
 * seeds, the best transfer method of each size and language in bold (the in-language ceiling, an
 * upper bound, takes no part), and the mean % of the ceiling where there is one. Hand-written: the
 * layout is twenty lines, and a LaTeX package from npm would not know booktabs or our bolding rule.
 * The file needs `\usepackage{booktabs}`.
 */
import { translationLabel } from "../experiment/translations.js"
import {
  CEILING_METHOD,
  type ReportRow,
  methodLabel,
  reportSections,
  sectionTitle,
  variantColumns,
  variantHeads
} from "./summary.js"

const SPECIAL = /[\\&%$#_{}~^]/g
const REPLACEMENT: Record<string, string> = {
  "\\": "\\textbackslash{}",
  "~": "\\textasciitilde{}",
  "^": "\\textasciicircum{}"
}

/** Text as LaTeX prints it literally. */
export const escapeLatex = (text: string): string => text.replace(SPECIAL, (c) => REPLACEMENT[c] ?? `\\${c}`)

const f2 = (x: number) => x.toFixed(2)

const meanCell = (r: ReportRow, best: boolean) => {
  const text = r.std === undefined ? f2(r.mean) : `${f2(r.mean)} $\\pm$ ${f2(r.std)}`
  return best ? `\\textbf{${text}}` : text
}

/** One section's table. */
const sectionTable = (section: ReadonlyArray<ReportRow>, fields: ReadonlyArray<string>): string => {
  const langs = [...new Set(section.map((r) => r.lang))].sort()
  const lineKey = (r: ReportRow) =>
    JSON.stringify([r.sourceSize, r.method, r.translations ?? null, fields.map((f) => r.variant[f])])
  const lines = new Map<string, Array<ReportRow>>()
  for (const r of section) lines.set(lineKey(r), [...(lines.get(lineKey(r)) ?? []), r])
  // the best transfer mean of each (size, language)
  const best = new Map<string, number>()
  for (const r of section)
    if (r.method !== CEILING_METHOD && Number.isFinite(r.mean)) {
      const key = `${r.sourceSize}/${r.lang}`
      best.set(key, Math.max(best.get(key) ?? Number.NEGATIVE_INFINITY, r.mean))
    }
  const ceiling = section.some((r) => r.ofCeiling !== undefined)
  const head = ["size", "method", ...variantHeads(fields), ...langs, ...(ceiling ? ["\\% of ceiling"] : [])]
  let size: number | undefined
  const body: Array<string> = []
  for (const rows of lines.values()) {
    const first = rows[0]!
    if (size !== undefined && first.sourceSize !== size) body.push("\\midrule")
    const name = methodLabel(first.method)
    const cells = [
      first.sourceSize === size ? "" : String(first.sourceSize),
      escapeLatex(
        first.translations === undefined ? name : `${name} [${translationLabel(first.translations)}]`
      ),
      ...fields.map((f) => escapeLatex(first.variant[f] ?? "–")),
      ...langs.map((lang) => {
        const r = rows.find((x) => x.lang === lang)
        return r === undefined
          ? "--"
          : meanCell(r, r.method !== CEILING_METHOD && r.mean === best.get(`${r.sourceSize}/${lang}`))
      })
    ]
    if (ceiling) {
      const shares = rows.flatMap((r) => (r.ofCeiling === undefined ? [] : [r.ofCeiling]))
      cells.push(shares.length === 0 ? "" : (shares.reduce((a, b) => a + b, 0) / shares.length).toFixed(1))
    }
    size = first.sourceSize
    body.push(`${cells.join(" & ")} \\\\`)
  }
  const columns = `rl${"l".repeat(fields.length)}${"r".repeat(langs.length)}${ceiling ? "r" : ""}`
  return [
    "\\begin{table}[ht]",
    "\\centering",
    `\\caption{${escapeLatex(sectionTitle(section[0]!))}: test F1 (\\%), mean $\\pm$ sample std over seeds; best transfer result per size and language in bold.}`,
    `\\begin{tabular}{${columns}}`,
    "\\toprule",
    `${head.map((h) => (h.startsWith("\\%") ? h : escapeLatex(h))).join(" & ")} \\\\`,
    "\\midrule",
    ...body,
    "\\bottomrule",
    "\\end{tabular}",
    "\\end{table}"
  ].join("\n")
}

/** Every section's table, for a document that loads booktabs. */
export const formatReportLatex = (rows: ReadonlyArray<ReportRow>): string => {
  const fields = variantColumns(rows)
  return `% concner report: needs \\usepackage{booktabs}\n${reportSections(rows)
    .map((section) => sectionTable(section, fields))
    .join("\n\n")}\n`
}
