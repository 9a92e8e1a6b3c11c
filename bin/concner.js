#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader so a fresh clone needs no build step.
// Both hooks: tfjs-core's `dist/register_all_gradients` is ESM with extensionless imports inside a
// CommonJS package; Node loads it through require(esm), which only tsx's CJS hook can resolve.
import { register as registerCjs } from "tsx/cjs/api"
import { register } from "tsx/esm/api"

registerCjs()
register()
await import("../src/cli/main.ts")
