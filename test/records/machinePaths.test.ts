/**
 * No committed record or report names a path of the machine that made it: data files are recorded
 * relative to the data root, encoders relative to the package, other runs relative to the run, and
 * reports show them so. Scans every text file under results/.
 */
import { readFileSync, readdirSync, statSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

/** An absolute path under a folder where machines keep homes, checkouts, data or scratch, or a drive. */
const MACHINE_PATH =
  /(?<![\w.~-])\/(?:home|work|tmp|root|Users|mnt|media|var|opt|srv|data|scratch|private)\/[\w.-]+|\b[A-Z]:\\[\w.-]+/

const walk = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((entry) => {
    const file = path.join(dir, entry)
    return statSync(file).isDirectory() ? walk(file) : [file]
  })

const TEXT = /\.(json|jsonl|md|html|csv|tex|txt)$/

describe("committed records and reports", () => {
  it("hold no absolute path of a machine", () => {
    const files = walk("results").filter((f) => TEXT.test(f))
    expect(files.length).toBeGreaterThan(300)
    const found = files.flatMap((file) => {
      const match = readFileSync(file, "utf8").match(MACHINE_PATH)
      return match === null ? [] : [`${file}: ${match[0]}`]
    })
    expect(found).toEqual([])
  })

  it("the pattern finds the paths records used to hold, and not relative ones", () => {
    for (const p of ['"/work/shared/data/conll/en/train.txt"', "/home/me/x", "at C:\\Users\\me"])
      expect(p).toMatch(MACHINE_PATH)
    for (const p of ["conll/en/train.txt", "../cs-study/w/base/encoder", "</td><td>", "models/concner-small"])
      expect(p).not.toMatch(MACHINE_PATH)
  })
})
