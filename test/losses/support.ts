import { afterEach, beforeAll } from "vitest"
import { tf } from "../../src/runtime/tf.js"

/**
 * Every losses test file: the cpu backend (chosen before any tensor exists), and a macrotask
 * between tests. Property tests run synchronously for long stretches under
 * `npm run test:props`; without a turn of the event loop the worker cannot answer vitest's RPC
 * and the run ends with "Timeout calling onTaskUpdate" although every test passed.
 */
export const setupLossTests = () => {
  beforeAll(async () => {
    await tf.setBackend("cpu")
  })
  afterEach(() => new Promise<void>((resolve) => setTimeout(resolve, 0)))
}
