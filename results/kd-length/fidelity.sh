#!/usr/bin/env bash
# fidelity.sh RUN_DIR…: how closely each distilled student imitates its teacher, on the text it
# distilled on (D_U) and on the test set it was scored on and never saw (both from run-sets.ts).
# For every run folder (a finished KD cell with its teacher/ and student/ checkpoints) it tags both
# sets with both models (`concner predict`, on the backend the run recorded) and prints one
# Markdown row: the student's entity F1 against its teacher's tags, and both models' F1 against gold.
# Data root: $CONCNER_DATA, else ../shared/data.
set -euo pipefail
declare -A dir
for run in "$@"; do
  for need in spec.json run.json teacher student; do
    [ -e "$run/$need" ] || { echo "fidelity.sh: $run has no $need (not a finished distilled run)" >&2; exit 2; }
  done
  dir[$run]=$(realpath "$run")
done
cd "$(dirname "$0")/../.."
DATA=${CONCNER_DATA:-$(realpath ../shared/data)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
f1() { node bin/concner.js evaluate "$1" | sed -n 2p | sed 's/.*FB1: *//'; }
echo "| run | student vs teacher, D_U | student vs teacher, test | teacher / student vs gold, D_U | teacher / student vs gold, test |"
echo "|---|---|---|---|---|"
for run in "$@"; do
  backend=$(node -p 'require(process.argv[1]).backend' "${dir[$run]}/run.json")
  npx tsx results/kd-length/run-sets.ts "${dir[$run]}" "$tmp" "$DATA" >&2
  row="| $run |"
  for set in kd test; do
    for model in teacher student; do
      node bin/concner.js predict --model "${dir[$run]}/$model" --backend "$backend" "$tmp/$set.conll" \
        > "$tmp/$set-$model.txt"
    done
    # student's tags scored against the teacher's as gold (columns: word, teacher, student)
    paste -d' ' <(cut -d' ' -f1,3 "$tmp/$set-teacher.txt") <(cut -d' ' -f3 "$tmp/$set-student.txt") \
      | sed 's/^ *$//' > "$tmp/$set-agree.txt"
  done
  row="$row $(f1 "$tmp/kd-agree.txt") | $(f1 "$tmp/test-agree.txt") |"
  row="$row $(f1 "$tmp/kd-teacher.txt") / $(f1 "$tmp/kd-student.txt") |"
  echo "$row $(f1 "$tmp/test-teacher.txt") / $(f1 "$tmp/test-student.txt") |"
done
