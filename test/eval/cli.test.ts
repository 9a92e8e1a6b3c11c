/** `concner evaluate` end to end (each spawn costs ~2 s, so few of them). */
import { spawnSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { scoreConlleval } from "../../src/eval/conlleval.js"
import { decodeConlleval } from "../../src/eval/input.js"
import { removeTempDirs, tempDir } from "../support/tempDir.js"

afterAll(removeTempDirs)

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
const fixtures = join(root, "test/fixtures/eval")
const concner = (args: ReadonlyArray<string>, input?: string) =>
  spawnSync("node", ["bin/concner.js", ...args], {
    cwd: root,
    encoding: "utf8",
    ...(input === undefined ? {} : { input })
  })

describe("concner evaluate", () => {
  it("prints conlleval.pl's report for a file", () => {
    const run = concner(["evaluate", join(fixtures, "iob1.txt")])
    expect(run.stderr).toBe("")
    expect(run.status).toBe(0)
    expect(run.stdout).toBe(readFileSync(join(fixtures, "iob1.report"), "utf8"))
  })

  it.effect("prints the JSON contract for stdin, at full precision", () =>
    Effect.gen(function* () {
      const text = readFileSync(join(fixtures, "iob2.txt"), "utf8")
      const run = concner(["evaluate", "--json", "-"], text)
      expect(run.status).toBe(0)
      const { overall, types } = scoreConlleval((yield* decodeConlleval(text, "-")).sentences)
      expect(JSON.parse(run.stdout)).toStrictEqual({ overall, types })
      expect(overall.precision).toBe((100 * 11) / 18)
    })
  )

  it("fails on a bad file with file:line on stderr", () => {
    const file = join(fixtures, "bad/column-count.txt")
    const run = concner(["evaluate", file])
    expect(run.status).not.toBe(0)
    expect(run.stdout).toBe("")
    expect(run.stderr.trim()).toBe(`${file}:4: expected 3 columns like the first line, found 4: "c O O O"`)
  })

  it("fails on a tag in no scheme (X-PER, B-) with file:line, and --lenient scores it as conlleval.pl", () => {
    const input = "John B-PER B-PER\nSmith I-PER X-PER\n\nParis B-LOC B-\n"
    const strict = concner(["evaluate", "-"], input)
    expect(strict.status).toBe(1)
    expect(strict.stdout).toBe("")
    expect(strict.stderr.trim()).toBe(
      '<stdin>:2: unknown prefix "X-" (expected B-, I-, E- or S-) (a tag in no scheme; --lenient scores it as conlleval.pl does): "X-PER"'
    )
    const lenient = concner(["evaluate", "--lenient", "--json", "-"], input)
    expect(lenient.status, lenient.stderr).toBe(0)
    expect(JSON.parse(lenient.stdout).overall.gold).toBe(2)
  })

  it("an invalid UTF-8 byte is FILE:LINE, and a 1 MB bad line gives a message under 1 KB", () => {
    const dir = tempDir("concner-eval-")
    const file = join(dir, "pred.txt")
    writeFileSync(
      file,
      Buffer.concat([Buffer.from("John B-PER B-PER\nM"), Buffer.from([0xfc]), Buffer.from("ller O O\n")])
    )
    const bad = concner(["evaluate", file])
    expect(bad.status).toBe(1)
    expect(bad.stderr.trim()).toBe(
      `${file}:2: not valid UTF-8 (byte 0xfc at byte 2 of the line): save the file as UTF-8`
    )
    const long = concner(["evaluate", "-"], `John B-PER B-PER\n${"x".repeat(1 << 20)}\n`)
    expect(long.status).toBe(1)
    expect(long.stderr.length).toBeLessThan(1024)
    expect(long.stderr).toMatch(
      /^<stdin>:2: expected 3 columns like the first line, found 1: "x{200}"… \(1048576 characters\)$/m
    )
  })
})
