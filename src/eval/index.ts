/** The eval stage's public API (`concner/eval`). */
export * from "./conlleval.js"
export * from "./conllevalReport.js"
export * from "./errors.js"
export * from "./input.js"
export * from "./predict.js"
export * from "./scores.js"
export * from "./strict.js"
