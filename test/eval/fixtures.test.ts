/**
 * The port against conlleval.pl itself: every `test/fixtures/eval/*.txt` is scored and formatted
 * and must equal the `.report` that conlleval.pl printed for it (see generate.sh), to the last
 * count and digit. The fixtures cover IOB1/IOB2/IOBES input, 5 columns, -DOCSTART-, -X- lines,
 * bracket and `.` tags, odd type names and seeded random tags over conlleval's whole alphabet.
 */
import { existsSync, readFileSync, readdirSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { scoreConlleval } from "../../src/eval/conlleval.js"
import { formatReport } from "../../src/eval/conllevalReport.js"
import { decodeConlleval } from "../../src/eval/input.js"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
const fixtures = join(root, "test/fixtures/eval")
const inputs = readdirSync(fixtures)
  .filter((name) => name.endsWith(".txt"))
  .sort()

const reportOf = (text: string, file: string) =>
  Effect.map(decodeConlleval(text, file), (input) =>
    formatReport(scoreConlleval(input.sentences, input.finalBoundary))
  )

describe("conlleval.pl fixtures", () => {
  it("has the fixtures generate.sh reports on", () => {
    expect(inputs.length).toBeGreaterThanOrEqual(17)
    for (const name of inputs)
      expect(existsSync(join(fixtures, name.replace(/\.txt$/, ".report")))).toBe(true)
  })

  for (const name of inputs) {
    it.effect(`${name} gives conlleval.pl's report`, () =>
      Effect.gen(function* () {
        const file = join(fixtures, name)
        const expected = readFileSync(file.replace(/\.txt$/, ".report"), "utf8")
        expect(yield* reportOf(readFileSync(file, "utf8"), file)).toBe(expected)
      })
    )
  }

  it.effect("the same lines split by tabs and space runs, with CRLF and a BOM, give the same report", () =>
    Effect.gen(function* () {
      const file = join(fixtures, "iob1.txt")
      const text = readFileSync(file, "utf8")
      const mangled = `\uFEFF${text
        .split("\n")
        .map((line, i) => line.replaceAll(" ", i % 2 === 0 ? "\t" : " \t  "))
        .join("\r\n")}`
      expect(yield* reportOf(mangled, file)).toBe(readFileSync(join(fixtures, "iob1.report"), "utf8"))
    })
  )
})

// conll/en/test.txt with the prediction generate.sh's `perturb` builds: same rules, same token index.
const data = process.env.CONCNER_DATA ?? resolve(root, "../shared/data")
const conllEnTest = join(data, "conll/en/test.txt")
if (!existsSync(conllEnTest)) console.log(`skipping real-data conlleval check: ${conllEnTest} not found`)

describe.skipIf(!existsSync(conllEnTest))("conlleval.pl on real data", () => {
  const perturb = (text: string) => {
    let i = 0
    return text
      .split("\n")
      .map((line) => {
        if (line === "") return line
        const cut = line.lastIndexOf(" ")
        const tag = line.slice(cut + 1)
        const type = tag.slice(2)
        let pred = tag
        if (i % 11 === 3) pred = "O"
        else if (i % 13 === 5)
          pred = tag.startsWith("B-") ? `I-${type}` : tag.startsWith("I-") ? `B-${type}` : "B-MISC"
        else if (i % 17 === 7 && tag !== "O") pred = tag.slice(0, 2) + (type === "PER" ? "LOC" : "PER")
        i++
        return `${line.slice(0, cut)} ${tag} ${pred}`
      })
      .join("\n")
  }

  it.effect("conll/en/test with deterministic errors gives conlleval.pl's report", () =>
    Effect.gen(function* () {
      const report = yield* reportOf(perturb(readFileSync(conllEnTest, "utf8")), conllEnTest)
      expect(report).toBe(readFileSync(join(fixtures, "conll-en-test-perturbed.report"), "utf8"))
    })
  )
})
