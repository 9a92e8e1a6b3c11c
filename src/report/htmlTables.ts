import { translationLabel } from "../experiment/translations.js"
import { type Html, html } from "./htmlTemplate.js"
import { type PaperTable, paperCorpus, paperRows } from "./paperTables.js"
/**
 * The report's tables in the paper's layout: Table 3, 4 or 5 with a row per (size, method) and a
 * column per target language, each cell our mean ± std over seeds, the number of seeds and the
 * paper's number; cells without runs say "missing", cells whose runs depart from the paper's
 * setting carry a footnote naming how. Rows and languages without any run are left out (all of
 * them shown with `all`); the in-language ceiling, where it has runs, is a row of its own under
 * each size, and each cell says what share of it it reaches. Runs no paper table holds are listed
 * in a plain table.
 */
import {
  CEILING_METHOD,
  type ReportRow,
  ceilingNote,
  ceilingText,
  meanText,
  methodLabel,
  stageText,
  versusNote,
  versusText
} from "./summary.js"

export interface Cell {
  readonly row: ReportRow
  /** How its runs depart from the paper's setting (see `cellDeviations`). */
  readonly deviations: ReadonlyArray<string>
}

/** Numbered footnotes for deviation lists, shared by the tables of one section. */
export class Footnotes {
  private readonly ids = new Map<
    string,
    { readonly id: string; readonly deviations: ReadonlyArray<string> }
  >()

  /** The footnote id of a deviation list (the same list gets the same id), or undefined for none. */
  mark(deviations: ReadonlyArray<string>): string | undefined {
    if (deviations.length === 0) return undefined
    const key = deviations.join("\n")
    const known = this.ids.get(key)
    if (known) return known.id
    const id = `d${this.ids.size + 1}`
    this.ids.set(key, { id, deviations })
    return id
  }

  html(): Html {
    const entries = [...this.ids.values()]
    return entries.length === 0
      ? html``
      : html`<dl class="deviations">${entries.map(
          (e) => html`<dt><sup>${e.id}</sup></dt><dd>${e.deviations.join("; ")}</dd>`
        )}</dl>`
  }
}

const f2 = (x: number) => x.toFixed(2)

const devMark = (notes: Footnotes, deviations: ReadonlyArray<string>) => {
  const id = notes.mark(deviations)
  return id === undefined ? "" : html` <sup class="dev" title="${deviations.join("; ")}">${id}</sup>`
}

const teacherSpan = (r: ReportRow) =>
  r.teacher === undefined ? "" : html`<span class="teacher">teacher ${meanText(r.teacher)}</span>`

const paperSpan = (paper: number | undefined) =>
  paper === undefined ? "" : html`<span class="paper">paper ${f2(paper)}</span>`

const ceilingSpan = (r: ReportRow) =>
  r.ofCeiling === undefined ? "" : html`<span class="ceiling">${ceilingText(r)} % of ceiling</span>`

const cellHtml = (cell: Cell | undefined, paper: number | undefined, notes: Footnotes) =>
  cell === undefined
    ? html`<td class="cell missing"><span class="score">missing</span>${paperSpan(paper)}</td>`
    : html`<td class="${cell.deviations.length > 0 ? "cell deviates" : "cell"}"><span class="score">${meanText(cell.row)}</span> <span class="n">n=${cell.row.n}</span>${teacherSpan(cell.row)}${ceilingSpan(cell.row)}${devMark(notes, cell.deviations)}${paperSpan(paper)}</td>`

const titles: Record<PaperTable, string> = {
  table3: "Table 3: test F1 (%) by target language (CoNLL es/nl/de, WikiAnn ar/hi/zh)",
  table4: "Table 4: ablations from 1000 English sentences",
  table5: "Table 5: CoNLL without distillation"
}

/** A table's languages in its column order. */
export const tableLangs = (table: PaperTable): Array<string> => [
  ...new Set(paperRows.filter((r) => r.table === table).flatMap((r) => Object.keys(r.f1)))
]

export type CellLookup = (corpus: string, lang: string, size: number, method: string) => Cell | undefined

const filledRows = (table: PaperTable, lookup: CellLookup) =>
  paperRows
    .filter((r) => r.table === table)
    .map((p) => ({
      paper: p,
      cells: tableLangs(table).map((l) => lookup(paperCorpus(l), l, p.size, p.method))
    }))

/** Whether `lookup` fills any cell of the table. */
export const hasCells = (table: PaperTable, lookup: CellLookup): boolean =>
  filledRows(table, lookup).some((r) => r.cells.some((c) => c !== undefined))

/**
 * The paper table filled from `lookup`, or undefined when none of its cells has runs. `variant`
 * names what its cells share besides the paper's setting (a translation source other than MulDA's,
 * a hyper-parameter variant). Rows and languages without runs are left out unless `all`.
 */
export const paperTableHtml = (
  table: PaperTable,
  lookup: CellLookup,
  notes: Footnotes,
  options: { readonly variant?: string | undefined; readonly all?: boolean } = {}
): Html | undefined => {
  const allLangs = tableLangs(table)
  const filledAll = filledRows(table, lookup)
  if (!hasCells(table, lookup)) return undefined
  const shownLang = allLangs.map(
    (_, i) => options.all === true || filledAll.some((r) => r.cells[i] !== undefined)
  )
  const langs = allLangs.filter((_, i) => shownLang[i])
  const filled = filledAll
    .filter((r) => options.all === true || r.cells.some((c) => c !== undefined))
    .map((r) => ({ ...r, cells: r.cells.filter((_, i) => shownLang[i]) }))
  // the ceiling under each size's rows, where it has runs in the table's languages
  const ceilingRow = (size: number) => {
    const cells = langs.map((l) => lookup(paperCorpus(l), l, size, CEILING_METHOD))
    return cells.every((c) => c === undefined)
      ? []
      : [
          html`<tr class="ceiling-row"><th scope="row">${size}</th><th scope="row">${methodLabel(CEILING_METHOD)}</th>${cells.map(
            (c) => cellHtml(c, undefined, notes)
          )}<td class="cell"></td></tr>`
        ]
  }
  const body = filled.flatMap(({ paper, cells }, i) => {
    const present = cells.filter((c): c is Cell => c !== undefined)
    const complete = present.length === allLangs.length
    const avg = complete ? present.reduce((a, c) => a + c.row.mean, 0) / present.length : undefined
    const avgDeviations = [...new Set(present.flatMap((c) => c.deviations))].sort()
    const avgCell =
      avg === undefined
        ? html`<td class="cell missing"><span class="score">missing (${present.length} of ${allLangs.length})</span>${paperSpan(paper.avg)}</td>`
        : html`<td class="${avgDeviations.length > 0 ? "cell deviates" : "cell"}"><span class="score">${f2(avg)}</span>${devMark(notes, avgDeviations)}${paperSpan(paper.avg)}</td>`
    const row = html`<tr><th scope="row">${paper.size}</th><th scope="row">${paper.method}</th>${cells.map(
      (c, j) => cellHtml(c, paper.f1[langs[j]!], notes)
    )}${avgCell}</tr>`
    const lastOfSize = filled[i + 1]?.paper.size !== paper.size
    return lastOfSize ? [row, ...ceilingRow(paper.size)] : [row]
  })
  return html`<table class="paper-table" data-table="${table}"><caption>${titles[table]}${options.variant === undefined ? "" : ` — ${options.variant}`}</caption>
<thead><tr><th>size</th><th>method</th>${langs.map((l) => html`<th>${l}</th>`)}<th>avg</th></tr></thead>
<tbody>${body}</tbody></table>`
}

/** A row's variant as one cell's text: `protocol.maxSteps=8, …`, empty for none. */
export const variantText = (r: ReportRow): string =>
  Object.entries(r.variant)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ")

/** The cells that name a row: corpus, size, method, translation source, target language, variant. */
const rowNameCells = (r: ReportRow) =>
  html`<td>${r.corpus}</td><td>${r.sourceSize}</td><td>${methodLabel(r.method)}</td><td>${r.translations === undefined ? "–" : translationLabel(r.translations)}</td><td>${r.lang}</td>${
    Object.keys(r.variant).length > 0 && html`<td>${variantText(r)}</td>`
  }`

const rowNameHeads = (cells: ReadonlyArray<Cell>) =>
  html`<th>corpus</th><th>size</th><th>method</th><th>translations</th><th>lang</th>${
    cells.some((c) => Object.keys(c.row.variant).length > 0) && html`<th>variant</th>`
  }`

/**
 * Every row in a plain table (for runs no paper table holds), with the differences from `en` and
 * `mulda` and the share of the ceiling.
 */
export const rowsTableHtml = (cells: ReadonlyArray<Cell>, notes: Footnotes): Html =>
  html`<table class="rows-table"><caption>Runs outside the paper's tables: test F1 (%). ${versusNote} ${ceilingNote}</caption>
<thead><tr>${rowNameHeads(cells)}<th>test F1</th><th>n</th><th>stage</th><th>Δ vs en ± se</th><th>Δ vs mulda ± se</th><th>% of ceiling</th></tr></thead>
<tbody>${cells.map(
    ({ row: r, deviations }) =>
      html`<tr>${rowNameCells(r)}<td class="${deviations.length > 0 ? "cell deviates" : "cell"}"><span class="score">${meanText(r)}</span>${devMark(notes, deviations)}</td><td>${r.n}</td><td>${stageText(r)}</td><td>${versusText(r.vsEn)}</td><td>${versusText(r.vsMulda)}</td><td>${ceilingText(r)}</td></tr>`
  )}</tbody></table>`

/** The differences from `en` and `mulda` of rows the paper's tables hold (those show means only). */
export const differencesTableHtml = (cells: ReadonlyArray<Cell>): Html =>
  html`<table class="differences-table"><caption>Differences in test F1 (points) from En and from MulDA. ${versusNote}</caption>
<thead><tr>${rowNameHeads(cells)}<th>Δ vs en ± se</th><th>Δ vs mulda ± se</th></tr></thead>
<tbody>${cells.map(
    ({ row: r }) =>
      html`<tr>${rowNameCells(r)}<td>${versusText(r.vsEn)}</td><td>${versusText(r.vsMulda)}</td></tr>`
  )}</tbody></table>`
