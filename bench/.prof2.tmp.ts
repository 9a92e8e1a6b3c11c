import { Effect } from "effect"
import { benchModel } from "/work/main/bench/workload.js"
import { TensorRuntime } from "/work/main/src/runtime/TensorRuntime.js"
import { tf } from "/work/main/src/runtime/tf.js"
const prog = Effect.gen(function* () {
  yield* TensorRuntime
  const model = yield* benchModel("tiny", 32000, 64)
  const grads = Object.fromEntries(
    Object.entries(model.params).map(([k, v]) => [k, new Float32Array(v.size).fill(1e-3)])
  )
  model.optimizer.update(grads, 1e-4)
  let t = performance.now()
  model.optimizer.update(grads, 1e-4)
  console.log("adamw ms", performance.now() - t)
  t = performance.now()
  for (const v of Object.values(model.params)) v.dataSync()
  console.log("dataSync all ms", performance.now() - t)
  t = performance.now()
  tf.tidy(() => {
    for (let i = 0; i < 8; i++) tf.dropout(tf.ones([64, 64, 128]), 0.1, undefined, `s${i}`).dataSync()
  })
  console.log("8 dropouts of 524k ms", performance.now() - t)
  t = performance.now()
  tf.tidy(() => {
    for (let i = 0; i < 8; i++) tf.randomUniform([64, 64, 128], 0, 1, "float32", i).dataSync()
  })
  console.log("8 randomUniform ms", performance.now() - t)
})
Effect.runPromise(Effect.scoped(prog).pipe(Effect.provide(TensorRuntime.layer({ threads: 1 }))))
