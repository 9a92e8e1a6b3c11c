/**
 * concner's common API: every stage from the runtime up to experiments, re-exported from the
 * stages' entry modules. The grid executor (`concner/cluster`: @effect/cluster, SQL) and the report
 * stage (`concner/report`: Vega) are imported by their own subpaths, so that importing `concner`
 * loads neither; so is each stage on its own (`concner/losses`, `concner/model`, …).
 */
export * from "./runtime/index.js"
export * from "./records/index.js"
export * from "./data/index.js"
export * from "./text/index.js"
export * from "./translate/index.js"
export * from "./losses/index.js"
export * from "./model/index.js"
export * from "./eval/index.js"
export * from "./train/index.js"
export * from "./pretrain/index.js"
export * from "./experiment/index.js"
