/**
 * The tfjs namespace concner uses, with the `cpu` and `wasm` backends and all gradients
 * registered. Import `tf` from here (or from "concner") rather than from tfjs-core directly,
 * so every module sees the same engine with gradients available (tfjs-core alone has none).
 */
import "@tensorflow/tfjs-core/dist/register_all_gradients"
import "@tensorflow/tfjs-backend-cpu"
import "@tensorflow/tfjs-backend-wasm"
import * as tf from "@tensorflow/tfjs-core"

export { tf }
export type { Tensor, Tensor1D, Tensor2D, Tensor3D, Scalar, Variable, Rank } from "@tensorflow/tfjs-core"
