/** The cluster stage's public API (`concner/cluster`). */
export * from "./CellStore.js"
export * from "./child.js"
export * from "./engine.js"
export * from "./progressPrinter.js"
export * from "./progressView.js"
export * from "./runner.js"
export * from "./submit.js"
export * from "./workflow.js"
