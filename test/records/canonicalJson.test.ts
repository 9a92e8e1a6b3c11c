import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { canonicalHash, canonicalJson } from "../../src/records/canonicalJson.js"

const numRuns = Number(process.env.CONCNER_PROP_RUNS ?? 100)

/** The same object with its keys inserted in reverse order, recursively. */
const reversed = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(reversed)
    : v !== null && typeof v === "object"
      ? Object.fromEntries(
          Object.entries(v)
            .reverse()
            .map(([k, x]) => [k, reversed(x)])
        )
      : v

describe("canonical JSON", () => {
  it("sorts keys, drops whitespace, and hashes to a known SHA-256", () => {
    const spec = { c: { y: 2.5, x: "é" }, b: [true, null], a: 1 }
    expect(canonicalJson(spec)).toBe('{"a":1,"b":[true,null],"c":{"x":"é","y":2.5}}')
    // echo -n '{"a":1,"b":[true,null],"c":{"x":"é","y":2.5}}' | sha256sum
    expect(canonicalHash(spec)).toBe("ac5176822575472b0b0dfc4815bc2728408c98b545171b7e88b0733918dc0aa8")
  })

  it("orders integer-like keys as strings, unlike JSON.stringify", () => {
    expect(canonicalJson({ b: 0, 10: 1, 9: 2 })).toBe('{"10":1,"9":2,"b":0}')
  })

  it("omits undefined fields and refuses what JSON cannot hold", () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}')
    expect(() => canonicalJson({ lr: Number.NaN })).toThrow(/\$\.lr is NaN/)
    expect(() => canonicalJson([1, undefined])).toThrow(/\$\[1\] is a undefined/)
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/)
  })

  it.prop(
    "parses back to the value, independent of key insertion order",
    [fc.jsonValue({ maxDepth: 4 })],
    ([value]) => {
      const text = canonicalJson(value)
      expect(canonicalJson(reversed(value))).toBe(text)
      // JSON.parse turns -0 into 0; canonical JSON of both is "0"
      expect(JSON.parse(text)).toStrictEqual(JSON.parse(JSON.stringify(value)))
    },
    { fastCheck: { numRuns, seed: 51 } }
  )
})
