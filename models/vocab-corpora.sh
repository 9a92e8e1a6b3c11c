# The corpora the shipped vocabulary is trained on (train/dev splits only, never test), as
# `--corpus` flags in the array `corpora`; sourced by models/make-concner-small.sh and
# results/make-vocab-study.sh.
corpora=()
for l in en de es nl; do corpora+=(--corpus "conll/$l/train" --corpus "conll/$l/dev"); done
for l in en ar hi zh bn fa id ml af bg de el et eu fr he ja jv ka kk mr ms my nl sw ta te tl tr ur vi yo; do
  corpora+=(--corpus "wikiann/$l/train")
done
