/** The records stage's public API (`concner/records`). */
export * from "./atomic.js"
export * from "./canonicalJson.js"
export * from "./metricsLog.js"
export * from "./modelPath.js"
export * from "./runRecord.js"
