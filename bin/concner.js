#!/usr/bin/env node
// The concner CLI. An installed package runs its compiled `dist/`. In a checkout (tsconfig.json
// beside this folder) `dist/` is used while it is at least as new as every file of `src/`
// (`npm run build` makes it); otherwise the TypeScript sources run through tsx's loader, so an
// edit is never run stale.
import { existsSync, readdirSync, statSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const built = join(root, "dist", ".tsbuildinfo")

const newest = (dir) =>
  Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((e) =>
      e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs
    )
  )

const checkout = existsSync(join(root, "tsconfig.json"))
if (!checkout || (existsSync(built) && statSync(built).mtimeMs >= newest(join(root, "src")))) {
  await import("../dist/cli/main.js")
} else {
  // Both hooks: tfjs-core's `dist/register_all_gradients` is ESM with extensionless imports inside a
  // CommonJS package; Node loads it through require(esm), which only tsx's CJS hook can resolve.
  const { register: registerCjs } = await import("tsx/cjs/api")
  const { register } = await import("tsx/esm/api")
  registerCjs()
  register()
  await import("../src/cli/main.ts")
}
