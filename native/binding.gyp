{
  "variables": {
    "concner_openblas%": "0"
  },
  "targets": [
    {
      "target_name": "concner_native",
      "sources": ["src/concner_native.c", "src/activations.c", "src/gemm.c", "src/pool.c"],
      "libraries": ["-lm", "-lpthread"],
      "cflags": ["-O3", "-fno-trapping-math", "-ffp-contract=off", "-fno-math-errno", "-std=gnu11", "-Wall", "-pthread"],
      "conditions": [
        ["concner_openblas==1", {
          "defines": ["CONCNER_OPENBLAS"],
          "libraries": ["-lopenblas"]
        }]
      ]
    }
  ]
}
