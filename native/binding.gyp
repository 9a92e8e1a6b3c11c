{
  "targets": [
    {
      "target_name": "concner_native",
      "sources": ["src/concner_native.c"],
      "libraries": ["-lopenblas", "-lm"],
      "cflags": ["-O3", "-fno-trapping-math", "-ffp-contract=off", "-fno-math-errno", "-std=gnu11", "-Wall"]
    }
  ]
}
