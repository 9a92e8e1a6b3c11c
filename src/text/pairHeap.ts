/**
 * An indexed binary max-heap of small integer ids under a caller-given order. Unlike a lazy heap it
 * supports a key moving either way (`update` after the caller changed what `before` reads): WordPiece
 * scores rise when a merge lowers a token's count, which a heap of stale entries would miss.
 * Hand-written: no package in the stack has a heap with position-indexed updates.
 */
export class PairHeap {
  private readonly heap: Array<number> = []
  // id → index in `heap`, -1 when absent
  private readonly position: Array<number> = []

  /** `before(p, q)`: p must come out before q (a strict total order). */
  constructor(private readonly before: (p: number, q: number) => boolean) {}

  get size(): number {
    return this.heap.length
  }

  /** The first id in the order, or undefined when empty. */
  peek(): number | undefined {
    return this.heap[0]
  }

  has(id: number): boolean {
    return (this.position[id] ?? -1) >= 0
  }

  /** Inserts `id`, or restores the heap after its key changed. */
  update(id: number): void {
    const at = this.position[id] ?? -1
    if (at < 0) {
      this.heap.push(id)
      this.position[id] = this.heap.length - 1
      this.up(this.heap.length - 1)
    } else if (!this.up(at)) this.down(at)
  }

  remove(id: number): void {
    const at = this.position[id] ?? -1
    if (at < 0) return
    const last = this.heap.pop()!
    this.position[id] = -1
    if (at < this.heap.length) {
      this.heap[at] = last
      this.position[last] = at
      if (!this.up(at)) this.down(at)
    }
  }

  // moves the entry at `i` towards the root; true when it moved
  private up(i: number): boolean {
    const id = this.heap[i]!
    let at = i
    while (at > 0) {
      const parent = (at - 1) >> 1
      const p = this.heap[parent]!
      if (!this.before(id, p)) break
      this.heap[at] = p
      this.position[p] = at
      at = parent
    }
    this.heap[at] = id
    this.position[id] = at
    return at !== i
  }

  private down(i: number): void {
    const id = this.heap[i]!
    const n = this.heap.length
    let at = i
    for (;;) {
      const left = 2 * at + 1
      if (left >= n) break
      const right = left + 1
      const child = right < n && this.before(this.heap[right]!, this.heap[left]!) ? right : left
      const c = this.heap[child]!
      if (!this.before(c, id)) break
      this.heap[at] = c
      this.position[c] = at
      at = child
    }
    this.heap[at] = id
    this.position[id] = at
  }
}
