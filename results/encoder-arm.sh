# Shell functions for the encoder-lever studies (sourced by results/make-cs-study.sh and
# make-vocab-study.sh): one arm is a tiny encoder pretrained from a config and vocabulary, then
# fine-tuned with experiments/cs-study.ts (En, German/Spanish/Dutch test, 3 seeds). Each step
# resumes: a finished pretraining is skipped, a started one continues from its state.

# the committed studies were made with OpenBLAS (their run.json records it): a re-made arm uses it
# too, whatever auto would pick on this CPU
export CONCNER_BLAS=${CONCNER_BLAS:-openblas}

# pretrain_arm CONFIG VOCAB DIR: pretrains into DIR/encoder (resumable; skipped when finished).
pretrain_arm() {
  local enc="$3/encoder"
  mkdir -p "$enc"
  [ -f "$enc/model.safetensors" ] && return 0
  local resume=()
  [ -f "$enc/run/state.safetensors" ] && resume=(--resume)
  node bin/concner.js pretrain --config "$1" --vocab "$2" --out "$enc" "${resume[@]}"
}

# finetune_arm DIR: fine-tunes DIR/encoder on the study's grid into DIR/grid.
finetune_arm() {
  node bin/concner.js run experiments/cs-study.ts --model "$1/encoder" --out "$1/grid" --concurrency 1
}
