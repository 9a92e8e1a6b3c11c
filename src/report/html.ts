/**
 * `concner report DIR --html FILE`: one self-contained HTML page — the paper-style tables, charts
 * drawn to inline SVG, figures found or named, learning curves and each run's provenance. It needs
 * no script, no network and no other file: styles are inline, charts are SVG made here, every text
 * from the runs is escaped (see htmlTemplate.ts).
 */
import * as path from "node:path"
import { Effect } from "effect"
import type { TopLevelSpec } from "vega-lite"
import { translationLabel } from "../experiment/translations.js"
import { type PaperVariant, paperObjectives } from "../losses/objective.js"
import { writeFileStringAtomic } from "../records/atomic.js"
import { canonicalHash } from "../records/canonicalJson.js"
import type { CommitInfo, RunRecord } from "../records/runRecord.js"
import { blasCore } from "../runtime/native.js"
import { type LearningCurvePoint, languageBarsSpec, learningCurveSpec, resultsSpec } from "./charts.js"
import { cellDeviations } from "./deviations.js"
import { type Figure, figureDataUri, findFigures, readFigure } from "./figures.js"
import {
  type Cell,
  type CellLookup,
  Footnotes,
  differencesTableHtml,
  hasCells,
  paperTableHtml,
  rowsTableHtml,
  tableLangs
} from "./htmlTables.js"
import { type Html, html, trustedHtml } from "./htmlTemplate.js"
import { type RunFiles, readRunFiles } from "./runFiles.js"
import { CEILING_METHOD, type FoundResult, RESULT_FILE, type ReportRow, summarizeResults } from "./summary.js"
import { renderSvg } from "./svg.js"

export interface HtmlReportInput {
  readonly title: string
  /** The folder run paths are shown relative to. */
  readonly root: string
  readonly rows: ReadonlyArray<ReportRow>
  readonly runs: ReadonlyArray<RunFiles>
  readonly figures: ReadonlyArray<Figure>
  /** Show the paper's rows and languages that have no runs too. */
  readonly all?: boolean
}

// Everything fits the window: charts scale down to its width (their facets already wrap at
// 1,100 px), long words break; in print the provenance (collapsed) stays out and figures keep whole.
const STYLE = `
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222;max-width:100%}
table{border-collapse:collapse;margin:1em 0;max-width:100%}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top;overflow-wrap:anywhere}
caption{text-align:left;font-weight:bold;padding:.25em 0}
.cell .paper,.cell .teacher,.cell .ceiling{display:block;color:#666;font-size:.85em}
.cell .n{color:#666;font-size:.85em}
.ceiling-row th,.ceiling-row td{border-top:2px solid #999;font-style:italic}
.missing{background:#f3f3f3;color:#888}
.deviates{background:#fff4d6}
sup.dev{color:#a05a00}
code{font-size:.85em;overflow-wrap:anywhere}
figure{margin:1em 0;max-width:100%}
figure svg,figure img{max-width:100%;height:auto}
.provenance td{font-size:.85em}
details>summary{cursor:pointer;font-weight:bold}
@media print{body{margin:0;font-size:10pt}figure,tr{break-inside:avoid}details:not([open]){display:none}}
`

/** Table 3's languages: WikiAnn runs into any other form the many-language figure. */
const paperLangs = new Set(tableLangs("table3"))

/** The row's translation source when it is not MulDA's published set (see `cellKey`). */
const sourceOf = (r: ReportRow) =>
  r.translations === undefined ? undefined : translationLabel(r.translations)

/** The row with its method named `method [source]` where the source is not MulDA's, for charts. */
const withSource = (r: ReportRow): ReportRow => {
  const source = sourceOf(r)
  return source === undefined ? r : { ...r, method: `${r.method} [${source}]` }
}

const usesTranslations = (method: string) =>
  Object.hasOwn(paperObjectives, method) && paperObjectives[method as PaperVariant].needs.translations

const distinct = <A, K>(xs: ReadonlyArray<A>, key: (a: A) => K): Array<K> => [...new Set(xs.map(key))]

/** Draws a chart (one inline SVG), with its caption where it has one. */
const chart = (spec: TopLevelSpec, caption?: string) =>
  Effect.map(
    Effect.promise(() => renderSvg(spec)),
    (svg) =>
      html`<figure class="chart">${trustedHtml(svg)}${caption !== undefined && html`<figcaption>${caption}</figcaption>`}</figure>`
  )

/** A variant's values as a caption says them: `protocol.maxSteps 8, protocol.lr 0.001`. */
const variantCaption = (variant: Readonly<Record<string, string>>) =>
  Object.keys(variant).length === 0
    ? undefined
    : Object.entries(variant)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")

const sectionHtml = (
  protocol: string,
  model: string,
  rows: ReadonlyArray<ReportRow>,
  runsOf: (r: ReportRow) => ReadonlyArray<RunFiles>,
  all: boolean
) =>
  Effect.gen(function* () {
    const notes = new Footnotes()
    const cells: Array<Cell> = rows.map((row) => ({
      row,
      deviations: cellDeviations(runsOf(row), row.deviations)
    }))
    // one set of paper tables per hyper-parameter variant and translation source: MulDA's (the
    // paper's) first, then each other source's, whose methods without translations (en, en-kd)
    // show the runs they share with it
    const variants = distinct(rows, (r) => JSON.stringify(r.variant))
    const tables = variants.flatMap((variantKey) =>
      [undefined, ...distinct(rows, sourceOf).filter((s) => s !== undefined)].flatMap((variant) => {
        const ofVariant = cells.filter((c) => JSON.stringify(c.row.variant) === variantKey)
        const caption = [
          variantCaption(ofVariant[0]?.row.variant ?? {}),
          variant === undefined ? undefined : `translations: ${variant}`
        ]
          .filter((p) => p !== undefined)
          .join("; ")
        const lookup = (corpus: string, lang: string, size: number, method: string) => {
          const same = ofVariant.filter(
            ({ row: r }) =>
              r.corpus === corpus && r.lang === lang && r.sourceSize === size && r.method === method
          )
          return (
            same.find((c) => sourceOf(c.row) === variant) ??
            (usesTranslations(method) ? undefined : same.find((c) => sourceOf(c.row) === undefined))
          )
        }
        const own: CellLookup = (...cell) => {
          const found = lookup(...cell)
          return found !== undefined && sourceOf(found.row) === variant ? found : undefined
        }
        // another source's tables are drawn where it has cells of its own, not only shared ones
        return (["table3", "table4", "table5"] as const).flatMap((t) =>
          hasCells(t, own)
            ? (paperTableHtml(t, lookup, notes, { variant: caption === "" ? undefined : caption, all }) ?? [])
            : []
        )
      })
    )
    // the ceiling shows in the paper tables beside the methods it bounds; elsewhere in the plain table
    const besidePaperRows = (r: ReportRow) =>
      r.method === CEILING_METHOD &&
      cells.some(
        ({ row: o }) =>
          o.paper.length > 0 && o.corpus === r.corpus && o.lang === r.lang && o.sourceSize === r.sourceSize
      )
    const others = cells.filter((c) => c.row.paper.length === 0 && !besidePaperRows(c.row))
    const compared = cells.filter(
      (c) => c.row.paper.length > 0 && (c.row.vsEn !== undefined || c.row.vsMulda !== undefined)
    )
    const setting = `protocol ${protocol}, encoder ${model}`

    const charts: Array<Html> = []
    const labelled = rows.map(withSource)
    for (const size of distinct(rows, (r) => r.sourceSize).sort((a, b) => a - b)) {
      const ofSize = labelled.filter((r) => r.sourceSize === size)
      const wide = ofSize.filter((r) => r.corpus === "wikiann" && !paperLangs.has(r.lang))
      const main = ofSize.filter((r) => !wide.includes(r))
      if (main.length > 0)
        charts.push(
          yield* chart(
            languageBarsSpec(main, `Test F1 by target language, ${size} English sentences`),
            `${setting}: bars are the mean over seeds, rules ± one std, red ticks the paper's number.`
          )
        )
      if (wide.length > 0)
        charts.push(
          yield* chart(
            resultsSpec(
              wide,
              `WikiAnn: test F1 in ${distinct(wide, (r) => r.lang).length} more languages, ${size} English sentences`
            ),
            `${setting}: the paper's many-language figure (the paper gives no per-language numbers for it).`
          )
        )
    }

    // one caption for all learning curves (each names its method in its title)
    const curves: Array<Html> = []
    const curveGroup = (r: ReportRow) => JSON.stringify([r.corpus, r.sourceSize, withSource(r).method])
    for (const group of distinct(rows, curveGroup)) {
      const groupRows = rows.filter((r) => curveGroup(r) === group)
      const points: Array<LearningCurvePoint> = groupRows.flatMap((r) =>
        runsOf(r).flatMap((run) => run.curve.map((p) => ({ ...p, lang: r.lang, seed: run.result.seed })))
      )
      if (points.length === 0) continue
      const { corpus, sourceSize, method } = withSource(groupRows[0]!)
      curves.push(
        yield* chart(learningCurveSpec(points, `${method}: ${corpus}, ${sourceSize} English sentences`))
      )
    }

    return html`<section class="setting"><h2>${setting}</h2>
${tables}
${compared.length > 0 && differencesTableHtml(compared)}
${others.length > 0 && rowsTableHtml(others, notes)}
${notes.html()}
<h3>Charts</h3>
${charts}
${curves.length > 0 && html`<h3>Learning curves</h3><p>${setting}: English dev F1 (the selection set) at each evaluation, a line per seed; solid teacher, dashed student.</p>${curves}`}
</section>`
  })

/** A SHA-256 (or commit) shortened to 12 digits, the whole value on hover. */
const shortHash = (hash: string) => html`<code title="${hash}">${hash.slice(0, 12)}</code>`

const specCheck = (run: RunFiles) => {
  const recorded = run.record?.specSha256
  if (run.spec === undefined)
    return recorded === undefined ? html`–` : html`${shortHash(recorded)} (run.json; no spec.json)`
  const content = canonicalHash(run.spec.content)
  const problems = [
    content !== run.spec.sha256 && `spec.json's content hashes to ${content}`,
    recorded !== undefined && recorded !== run.spec.sha256 && `run.json records ${recorded}`
  ].filter((p): p is string => typeof p === "string")
  return html`${shortHash(run.spec.sha256)}${problems.length > 0 && html` <strong class="mismatch">mismatch: ${problems.join("; ")}</strong>`}`
}

/**
 * A recorded path as the report shows it: never one of the machine that made the run (records made
 * before concner wrote relative paths hold absolute ones): such a path is cut to its last three parts.
 */
export const shownPath = (p: string): string =>
  path.isAbsolute(p)
    ? `…/${p
        .split(/[\\/]+/)
        .filter((x) => x !== "")
        .slice(-3)
        .join("/")}`
    : p

const provenanceHtml = (runs: ReadonlyArray<RunFiles>, root: string) =>
  html`<details class="provenance-section"><summary>Provenance of each run (${runs.length} runs; hashes shortened, the whole value on hover and in run.json)</summary><table class="provenance">
<thead><tr><th>run</th><th>name, tags</th><th>cell</th><th>spec SHA-256</th><th>data files (SHA-256)</th><th>commit</th><th>backend</th><th>concner</th><th>node, platform</th><th>started, finished</th><th>seconds</th><th>notes</th></tr></thead>
<tbody>${[...runs]
    .sort((a, b) => a.dir.localeCompare(b.dir))
    .map((run) => {
      const r = run.result
      const rec = run.record
      return html`<tr><td><code>${path.relative(root, run.dir) || "."}</code></td><td>${[rec?.name, ...(rec?.tags ?? [])].filter((x) => x !== undefined).join(", ") || "–"}</td><td>${r.corpus} ${r.lang}, ${r.sourceSize}, ${r.method}, seed ${r.seed}, protocol ${r.protocol}</td><td>${specCheck(run)}</td><td>${
        rec === undefined
          ? "–"
          : rec.dataFiles.map((f) => html`<div>${shownPath(f.path)}: ${shortHash(f.sha256)}</div>`)
      }</td><td>${
        rec === undefined ? "–" : html`${shortHash(rec.commit.sha)} (${commitState(rec.commit)})`
      }</td><td>${rec === undefined ? "–" : backendText(rec)}</td><td>${rec === undefined ? "–" : rec.package.version}</td><td>${
        rec === undefined ? "–" : `${rec.node}, ${rec.platform}`
      }</td><td>${rec === undefined ? "–" : `${rec.startedAt ?? rec.createdAt}${rec.finishedAt === undefined ? "" : ` – ${rec.finishedAt}`}`}</td><td>${r.seconds.toFixed(1)}</td><td>${run.notes.join("; ")}</td></tr>`
    })}</tbody></table></details>`

/** How the commit was found and, from git, whether and where the checkout differed from it. */
export const commitState = (commit: CommitInfo) =>
  commit.dirty !== true
    ? commit.source
    : commit.changed === undefined
      ? `${commit.source}, dirty`
      : `${commit.source}, dirty: ${commit.changed.join(", ")}`

/** The backend with the kernels and threads it ran (see `Numerics`), where the record says. */
export const backendText = (rec: RunRecord) => {
  const n = rec.numerics
  if (n === undefined) return rec.backend
  const threads = (k: number, what: string) => `${k} ${what}${k === 1 ? "" : "s"}`
  const parts = [
    ...(n.threads !== null ? [threads(n.threads, "thread")] : []),
    ...(n.simd !== null ? [n.simd ? "SIMD" : "no SIMD"] : []),
    ...(n.native
      ? [
          `native kernels${n.gemm === "builtin" ? " (built-in GEMM)" : n.blas ? ` (OpenBLAS ${blasCore(n.blas) ?? n.blas})` : ""}, ${n.blasThreads === null ? "?" : threads(n.blasThreads, "BLAS thread")}`
        ]
      : [])
  ]
  return parts.length === 0 ? rec.backend : `${rec.backend} (${parts.join(", ")})`
}

/** The page (charts drawn here, so it takes an effect). */
export const htmlReport = Effect.fn("Report.html")(function* (input: HtmlReportInput) {
  const byFile = new Map(input.runs.map((run) => [path.join(run.dir, RESULT_FILE), run]))
  const runsOf = (r: ReportRow) => r.files.flatMap((f) => byFile.get(f) ?? [])
  const sections: Array<Html> = []
  for (const setting of distinct(input.rows, (r) => JSON.stringify([r.protocol, r.model]))) {
    const rows = input.rows.filter((r) => JSON.stringify([r.protocol, r.model]) === setting)
    sections.push(yield* sectionHtml(rows[0]!.protocol, rows[0]!.model, rows, runsOf, input.all === true))
  }
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${input.title}</title><style>${trustedHtml(STYLE)}</style></head>
<body><h1>${input.title}</h1>
<p>${input.runs.length} runs in ${input.rows.length} cells. Each cell: test F1 (%) as mean ± sample std over seeds and
the number of seeds (n), the student's F1 for distilled methods; below it the paper's number (mBERT, the paper's
protocol, mean of 5 seeds). <span class="missing">missing</span>: no run for a cell the paper reports (rows and
languages without any run are left out${input.all === true ? "; here shown, with --all" : ""}).
<span class="deviates">Shaded with a footnote</span>: its runs depart from the paper's setting, as the footnote says.</p>
${input.rows.length === 0 ? html`<p>No result.json found.</p>` : sections}
${
  input.figures.length > 0 &&
  html`<section><h2>Figures</h2>${input.figures.map(
    (f) =>
      html`<figure class="figure"><img src="${figureDataUri(f)}" alt="${shownPath(f.source)}"><figcaption>${shownPath(f.source)}</figcaption></figure>`
  )}</section>`
}
${input.runs.length > 0 && html`<section><h2>Provenance</h2>${provenanceHtml(input.runs, input.root)}</section>`}
</body></html>
`
  return page.value
})

/**
 * Reads the runs beside `found` (as `collectResults` gave them), the `.svg` figures under `dir` and
 * those in `figureFiles`, and writes the page to `out` atomically.
 */
export const writeHtmlReport = Effect.fn("Report.writeHtml")(function* (options: {
  readonly dir: string
  readonly found: ReadonlyArray<FoundResult>
  readonly figureFiles: ReadonlyArray<string>
  readonly out: string
  readonly all?: boolean
}) {
  const rows = yield* summarizeResults(options.found)
  const runs = yield* Effect.forEach(options.found, readRunFiles, { concurrency: 16 })
  const figures = [
    ...(yield* findFigures(options.dir)),
    ...(yield* Effect.forEach(options.figureFiles, (f) => readFigure(f)))
  ]
  const page = yield* htmlReport({
    // the folder as the reader knows it, never a path of this machine
    title: `concner report: ${path.isAbsolute(options.dir) ? path.basename(options.dir) : options.dir}`,
    root: options.dir,
    rows,
    runs,
    figures,
    all: options.all === true
  })
  yield* writeFileStringAtomic(options.out, page)
  return page
})
