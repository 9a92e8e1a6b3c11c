/**
 * The paired differences of results/README.md's Table 5 section that `concner report` does not
 * print (it gives each row against En and MulDA): ConCNER's teacher against MulDA, each student
 * against its teacher, and the German ablations (LCL on En, LCL on MulDA, TCL on En+Trans+LCL).
 * Read from the committed report.json with the report's own pairing and t-test:
 *   npx tsx results/table5-cpu-differences.ts [results/table5-cpu/report.json]
 */
import { readFileSync } from "node:fs"
import { type ReportRow, pairedDifference, versusText } from "../src/report/summary.js"

const rows: ReadonlyArray<ReportRow> = JSON.parse(
  readFileSync(process.argv[2] ?? "results/table5-cpu/report.json", "utf8")
)
const row = (method: string, lang: string) => rows.find((r) => r.method === method && r.lang === lang)
// a KD row's teacher over the row's own seeds (`teacher.f1s` is in `seeds` order; JSON has null
// where a row has none)
const teacherOf = (r: ReportRow | undefined) =>
  r?.teacher ? { seeds: r.seeds, f1s: r.teacher.f1s } : undefined
const versus = (a: Parameters<typeof pairedDifference>[0] | undefined, b: typeof a) =>
  a === undefined || b === undefined ? "—" : versusText(pairedDifference(a, b))

const langs = ["de", "es", "nl"]
const lines = [
  "| difference | de | es | nl |",
  "|---|---|---|---|",
  `| ConCNER's teacher − MulDA | ${langs.map((l) => versus(teacherOf(row("concner", l)), row("mulda", l))).join(" | ")} |`,
  `| ConCNER: student − teacher | ${langs.map((l) => versus(row("concner", l), teacherOf(row("concner", l)))).join(" | ")} |`,
  `| LCL on En (En+LCL − En) | ${versus(row("en-lcl", "de"), row("en", "de"))} | — | — |`,
  `| LCL on MulDA (En+Trans+LCL − MulDA) | ${versus(row("en-trans-lcl", "de"), row("mulda", "de"))} | — | — |`,
  `| TCL on En+Trans+LCL | ${versus(row("en-trans-lcl-tcl", "de"), row("en-trans-lcl", "de"))} | — | — |`
]
console.log(lines.join("\n"))
