#!/usr/bin/env bash
# export-cells.sh WORK OUT: copies every finished cell's record under the grid folder WORK —
# spec.json, run.json, result.json, metrics.jsonl (and translation.json where an engine ran), never
# checkpoints — to OUT, then writes the report there as Markdown, JSON, HTML, CSV and LaTeX.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$1
OUT=$2
mkdir -p "$OUT"
(cd "$WORK" && find . -name result.json -printf '%h\n') | sort | while read -r cell; do
  mkdir -p "$OUT/$cell"
  for f in spec.json run.json result.json metrics.jsonl translation.json; do
    if [ -f "$WORK/$cell/$f" ]; then cp "$WORK/$cell/$f" "$OUT/$cell/$f"; fi
  done
done
node bin/concner.js report "$OUT" --html "$OUT/report.html" --csv "$OUT" --latex "$OUT/report.tex" > "$OUT/report.md"
node bin/concner.js report "$OUT" --json > "$OUT/report.json"
