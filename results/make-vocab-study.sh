#!/usr/bin/env bash
# The vocabulary-size study (issue 11's encoder levers): a vocabulary of SIZE subwords (default
# 15,000) trained like the shipped 30,000 one (models/vocab-corpora.sh), a tiny encoder pretrained
# on it with the code-switching study's base config (models/cs-study/base.pretrain.json, 1,000
# steps), fine-tuned and scored like that study's arms (experiments/cs-study.ts), exported to
# results/vocab-study/vocab-SIZE. Its 30,000-subword counterpart is results/cs-study/base.
# Resumable: run it again after an interruption.
set -euo pipefail
cd "$(dirname "$0")/.."
source models/vocab-corpora.sh
source results/encoder-arm.sh
WORK=${WORK:-runs/vocab-study}
SIZE=${SIZE:-15000}
arm="$WORK/vocab-$SIZE"
if [ "${EXPORT_ONLY:-0}" != 1 ]; then
  mkdir -p "$arm"
  [ -f "$arm/vocab.txt" ] || node bin/concner.js vocab train "${corpora[@]}" --size "$SIZE" --out "$arm/vocab.txt"
  pretrain_arm models/cs-study/base.pretrain.json "$arm/vocab.txt" "$arm"
  finetune_arm "$arm"
fi
results/export-cells.sh "$arm/grid" "results/vocab-study/vocab-$SIZE"
