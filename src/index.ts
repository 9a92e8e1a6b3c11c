/**
 * concner's public API: `import { tf, … } from "concner"`.
 * Each stage adds its exports here (one line per module).
 */
export { tf } from "./runtime/tf.js"
