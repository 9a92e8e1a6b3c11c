/**
 * Registers every tfjs gradient (tfjs-core alone has none; `tf.ts` imports this after tfjs-core).
 * The gradients exist only as ESM files with extensionless relative imports inside a CommonJS
 * package, which Node's own resolver refuses (tsx and vitest resolve them themselves): the build
 * (`scripts/build.mjs`) therefore replaces this module's compiled form with esbuild's bundle of
 * the same file (~260 KB, loaded in ~0.05 s), so the published package runs in plain Node.
 */
import "@tensorflow/tfjs-core/dist/register_all_gradients"
