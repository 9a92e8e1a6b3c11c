#!/usr/bin/env bash
# The cpu reproduction of Table 5 (issue 11): runs experiments/table5-cpu-de.ts,
# table5-cpu-es-nl.ts and the in-language ceiling table5-cpu-tgt.ts (issue 29) under the `cpu`
# protocol with the shipped encoder into WORK (resumable: run it
# again after an interruption and finished cells are skipped, started ones resume; cells whose
# teacher another cell trained take it from WORK/teachers, see `concner run`), then exports
# every finished cell's record — spec.json, run.json, result.json, metrics.jsonl (and
# translation.json where an engine ran), never checkpoints — to results/table5-cpu with the report
# as Markdown, JSON and HTML. On a machine without WORK it first copies the committed records
# there, so a sitting on a new machine resumes from them. Re-run one exported cell with
#   node bin/concner.js train --spec results/table5-cpu/<cell>/spec.json --out DIR
set -euo pipefail
# the committed cells were made with OpenBLAS (their run.json records it): new cells of the same
# grids use it too, whatever auto would pick on this CPU
export CONCNER_BLAS=${CONCNER_BLAS:-openblas}
cd "$(dirname "$0")/.."
WORK=${WORK:-runs/table5-cpu}
CONCURRENCY=${CONCURRENCY:-2}
OUT=results/table5-cpu
run() { # grid, seeds, concurrency
  node bin/concner.js run "experiments/table5-cpu-$1.ts" --protocol cpu --out "$WORK" --seeds "$2" \
    --concurrency "$3"
}
if [ "${EXPORT_ONLY:-0}" != 1 ]; then
  # A new machine starts without WORK: seed it with the committed records, so that every cell
  # finished in an earlier sitting is skipped (the runner checks each record's spec hash against
  # the grid's). Only checkpoints are lost: cells that were running restart, and a cell whose
  # teacher was trained on the old machine trains it again (same seed and backend, same bits).
  (cd "$OUT" && find . -name result.json -printf '%h\n') | while read -r cell; do
    if [ ! -f "$WORK/$cell/result.json" ]; then mkdir -p "$WORK/$cell" && cp "$OUT/$cell"/* "$WORK/$cell/"; fi
  done
  # Each grid seed by seed, so that a grid stopped part-way holds whole seeds. Spanish + Dutch
  # run beside German on half the cores each (5 seeds both), neither waiting for the other at a
  # seed's end; German takes all the cores for the seeds it starts after Spanish and Dutch are done.
  half=$(( CONCURRENCY > 1 ? CONCURRENCY / 2 : 1 ))
  (for k in 1 2 3 4 5; do run es-nl "$k" "$half"; done) & esnl=$!
  for k in 1 2 3 4 5; do
    if kill -0 "$esnl" 2>/dev/null; then run de "$k" "$half"; else run de "$k" "$CONCURRENCY"; fi
  done
  wait "$esnl"
  # the in-language ceiling (tgt: de, es, nl) after the transfer rows, seed by seed on every core
  for k in 1 2 3 4 5; do run tgt "$k" "$CONCURRENCY"; done
fi
results/export-cells.sh "$WORK" "$OUT"
