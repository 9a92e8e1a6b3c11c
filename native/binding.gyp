{
  "targets": [
    {
      "target_name": "concner_native",
      "sources": ["src/concner_native.c"],
      "libraries": ["-lopenblas", "-lm"],
      "cflags": ["-O2", "-std=gnu11", "-Wall"]
    }
  ]
}
