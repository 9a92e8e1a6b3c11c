#!/usr/bin/env bash
# The code-switching study (issue 11's encoder levers; see experiments/cs-study.ts): pretrains two
# tiny encoders for 1,000 steps each — models/cs-study/base.pretrain.json and
# code-switch.pretrain.json, the shipped vocabulary — side by side, fine-tunes each on English and
# scores it on German, Spanish and Dutch test (3 seeds), then exports the cells and reports to
# results/cs-study/{base,code-switch}. Resumable at every stage: run it again after an interruption.
set -euo pipefail
cd "$(dirname "$0")/.."
source results/encoder-arm.sh
WORK=${WORK:-runs/cs-study}
OUT=results/cs-study
arms=(base code-switch)
if [ "${EXPORT_ONLY:-0}" != 1 ]; then
  for arm in "${arms[@]}"; do
    pretrain_arm "models/cs-study/$arm.pretrain.json" models/concner-small/vocab.txt "$WORK/$arm" &
  done
  wait
  for arm in "${arms[@]}"; do finetune_arm "$WORK/$arm" & done
  wait
fi
for arm in "${arms[@]}"; do results/export-cells.sh "$WORK/$arm/grid" "$OUT/$arm"; done
