import { Effect } from "effect"
import { benchModel, runTrainStep } from "/work/main/bench/workload.js"
import { TensorRuntime } from "/work/main/src/runtime/TensorRuntime.js"
import { tf } from "/work/main/src/runtime/tf.js"
const size = (process.argv[2] ?? "tiny") as "tiny"
const prog = Effect.gen(function* () {
  yield* TensorRuntime
  const model = yield* benchModel(size, 32000, 64)
  runTrainStep(model, 0)
  let t = performance.now()
  runTrainStep(model, 1)
  console.log("plain step ms", performance.now() - t)
  t = performance.now()
  const info = yield* Effect.promise(() => tf.profile(() => runTrainStep(model, 2)))
  console.log("profiled wall", performance.now() - t)
  const ks = info.kernels
    .map((k) => ({ n: k.name, ms: k.kernelTimeMs as number, s: JSON.stringify(k.inputShapes) }))
    .sort((a, b) => b.ms - a.ms)
  for (const k of ks.slice(0, 40)) console.log(k.ms.toFixed(1).padStart(8), k.n, k.s)
})
Effect.runPromise(Effect.scoped(prog).pipe(Effect.provide(TensorRuntime.layer({ threads: 1 }))))
