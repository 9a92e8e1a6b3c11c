/**
 * The training stage's services with their default Layers — the seeded batch order, the paper's
 * best-dev-F1 selection, the built-in loss terms: today's runs, bit for bit. Provide another
 * Layer of any of them in front (`Effect.provide(custom)` before this) to swap it.
 */
import { Layer } from "effect"
import { LossTerms } from "../losses/LossTerms.js"
import { Batcher } from "./Batcher.js"
import { CheckpointSelector } from "./CheckpointSelector.js"

export const trainingDefaults = Layer.mergeAll(Batcher.Default, CheckpointSelector.Default, LossTerms.Default)
