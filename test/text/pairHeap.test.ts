import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { PairHeap } from "../../src/text/pairHeap.js"
import { numRuns, seed } from "./fixture.js"

// an operation on ids 0..9: set a key (insert or move either way), or remove
const op = fc.oneof(
  fc.tuple(fc.constant("set" as const), fc.nat(9), fc.integer({ min: -5, max: 5 })),
  fc.tuple(fc.constant("remove" as const), fc.nat(9), fc.constant(0))
)

describe("PairHeap", () => {
  it.prop(
    "peeks the first present id in (key desc, id asc) after any updates and removals",
    [fc.array(op, { maxLength: 60 })],
    ([ops]) => {
      const key = new Map<number, number>()
      const heap = new PairHeap((p, q) => key.get(p)! > key.get(q)! || (key.get(p) === key.get(q) && p < q))
      for (const [kind, id, value] of ops) {
        if (kind === "set") {
          key.set(id, value)
          heap.update(id)
        } else {
          heap.remove(id)
          key.delete(id)
        }
        const expected = [...key].sort(([p, a], [q, b]) => b - a || p - q)[0]?.[0]
        expect(heap.peek()).toBe(expected)
        expect(heap.size).toBe(key.size)
        expect(heap.has(id)).toBe(kind === "set")
      }
    },
    { fastCheck: { numRuns, seed } }
  )
})
