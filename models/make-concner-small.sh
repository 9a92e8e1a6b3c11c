#!/usr/bin/env bash
# Rebuilds models/concner-small from the shared data (train/dev splits only): the vocabulary, the
# pretraining (resumable: run again after an interruption and it continues from its last state;
# raise STEPS to continue a finished run exactly, the inverse-sqrt schedule does not depend on it)
# and the F16 copy that is committed. WORK holds the full-precision run (metrics, state).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${WORK:-runs/pretrain-concner-small}
STEPS=${STEPS:-1000}
mkdir -p "$WORK"
source models/vocab-corpora.sh
[ -f "$WORK/vocab.txt" ] || node bin/concner.js vocab train "${corpora[@]}" --size 30000 --out "$WORK/vocab.txt"
resume=()
[ -f "$WORK/run/state.safetensors" ] && resume=(--resume)
node bin/concner.js pretrain --config models/concner-small.pretrain.json --vocab "$WORK/vocab.txt" \
  --out "$WORK" --max-steps "$STEPS" "${resume[@]}"
node bin/concner.js model convert --model "$WORK" --out models/concner-small --dtype F16
