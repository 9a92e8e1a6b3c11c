// The package build (`npm run build`; `npm ci` and `npm pack` run it): TypeScript to `dist/` (.js,
// .d.ts, source maps with their sources inline), then tfjs-core's gradient registrations bundled
// into `dist/runtime/tfjsGradients.js` (see src/runtime/tfjsGradients.ts for why).
import { spawnSync } from "node:child_process"
import { utimesSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "esbuild"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit"
})
if (tsc.status !== 0) process.exit(tsc.status ?? 1)
await build({
  entryPoints: [join(root, "node_modules/@tensorflow/tfjs-core/dist/register_all_gradients.js")],
  outfile: join(root, "dist/runtime/tfjsGradients.js"),
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  legalComments: "inline",
  logLevel: "warning"
})

// bin/concner.js runs dist/ in a checkout while this stamp is newer than every source file
const stamp = join(root, "dist/.tsbuildinfo")
const now = new Date()
utimesSync(stamp, now, now)
