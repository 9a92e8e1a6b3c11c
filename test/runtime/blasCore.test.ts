/**
 * OpenBLAS's kernel set, read from its configuration string: what run.json records so that a
 * re-run on another CPU generation can ask for the same kernels (`OPENBLAS_CORETYPE`).
 */
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { blasCore, loadNative } from "../../src/runtime/native.js"

const native = loadNative()
const avx2 = (() => {
  try {
    return /\bavx2\b/.test(readFileSync("/proc/cpuinfo", "utf8"))
  } catch {
    return false
  }
})()

describe("blasCore", () => {
  it("is the core named before the threading in OpenBLAS's configuration", () => {
    expect(blasCore("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64")).toBe(
      "Cooperlake"
    )
    expect(blasCore("OpenBLAS 0.3.21  DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64\n")).toBe("SkylakeX")
    // a build for one CPU, single-threaded
    expect(blasCore("OpenBLAS 0.3.26 NO_AFFINITY HASWELL SINGLE_THREADED")).toBe("HASWELL")
    expect(blasCore("")).toBeUndefined()
    expect(blasCore("MKL 2024.0")).toBeUndefined()
    expect(blasCore("OpenBLAS 0.3.21")).toBeUndefined()
  })

  it.skipIf(!native.loaded || native.openblas === "")(
    "names the loaded OpenBLAS's kernel set, which OPENBLAS_CORETYPE chooses",
    () => {
      if (!native.loaded) return
      expect(blasCore(native.openblas)).toMatch(/^\w+$/)
      if (!avx2) return console.warn("skipping the OPENBLAS_CORETYPE check: this CPU has no AVX2")
      const addon = path.resolve("native/build/Release/concner_native.node")
      const child = spawnSync(
        process.execPath,
        ["-e", `console.log(require(${JSON.stringify(addon)}).blasInfo())`],
        { encoding: "utf8", env: { ...process.env, OPENBLAS_CORETYPE: "Haswell" } }
      )
      expect(child.stderr).toBe("")
      expect(blasCore(child.stdout)).toBe("Haswell")
    }
  )
})
