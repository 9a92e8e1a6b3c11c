/**
 * The tfjs namespace concner uses, with the `cpu` and `wasm` backends and all gradients
 * registered. Import `tf` from here (or from "concner") rather than from tfjs-core directly,
 * so every module sees the same engine with gradients available (tfjs-core alone has none).
 */
// Order matters. Node loads two copies of tfjs-core: the CommonJS bundle (`main`, also used by
// the backends) and the ESM `dist/` files that `register_all_gradients` imports. Tensors are made
// with the Tensor class of whichever copy loads first, and only the bundle sets the class's op
// handler; if the gradients came first, any gradient calling `tensor.cast()` would throw
// "Cannot read properties of null (reading 'cast')".
import * as tf from "@tensorflow/tfjs-core"
import "./tfjsGradients.js"
import "@tensorflow/tfjs-backend-cpu"
import "@tensorflow/tfjs-backend-wasm"

export { tf }
export type { Tensor, Tensor1D, Tensor2D, Tensor3D, Scalar, Variable, Rank } from "@tensorflow/tfjs-core"

// tfjs only reads PROD to silence its console warnings: the cpu backend's "install tfjs-node" advice
// would otherwise interrupt every CLI's output; `concner doctor` explains backend choices instead.
tf.env().set("PROD", true)
