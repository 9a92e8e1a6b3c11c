/** Tests that switch the addon's GEMM, instruction set or threads put them back afterwards. */
import { afterAll } from "@effect/vitest"
import type { NativeAddon } from "../../src/runtime/native.js"

/** Records the addon's settings now and restores them after the file's tests. */
export const restoreNativeSettings = (addon: NativeAddon) => {
  const initial = { gemm: addon.setGemm(), threads: addon.setThreads() }
  afterAll(() => {
    const [name, isa] = initial.gemm.split(" ")
    addon.setGemm(name, isa ?? addon.gemmIsas()[0])
    addon.setThreads(initial.threads)
  })
}
