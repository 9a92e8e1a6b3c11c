/**
 * The house as drawn: every import in `src/` goes to its own folder or to an earlier layer of the
 * README's "Layer order" (read from the README, so the two cannot drift apart), no file-level
 * import cycle exists, and the CLI reaches the stages only through their entry modules.
 */
import { readFileSync, readdirSync, statSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"

const root = fileURLToPath(new URL("../..", import.meta.url))
const src = path.join(root, "src")

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name)
    return statSync(file).isDirectory() ? sourceFiles(file) : file.endsWith(".ts") ? [file] : []
  })

/** Relative module specifiers of a file: static imports and re-exports (types too), side-effect and dynamic imports. */
const importsOf = (file: string): Array<string> => {
  const text = readFileSync(file, "utf8")
  const found = [
    ...text.matchAll(/^(?:import|export)\b[^;'"]*?\bfrom\s+["'](\.[^"']+)["']/gms),
    ...text.matchAll(/^import\s+["'](\.[^"']+)["']/gm),
    ...text.matchAll(/\bimport\(\s*["'](\.[^"']+)["']\s*\)/g)
  ].map((m) => m[1]!)
  return found.map((spec) => path.resolve(path.dirname(file), spec.replace(/\.js$/, ".ts")))
}

const folderOf = (file: string) => {
  const rel = path.relative(src, file).split(path.sep)
  return rel.length === 1 ? "(root)" : rel[0]!
}

/** `runtime → records, data → …`: the layers in order, each a list of folders. */
const layerOrder = (): Array<Array<string>> => {
  const readme = readFileSync(path.join(root, "README.md"), "utf8")
  const line = /Layer order[\s\S]*?\n```\n([^\n]+)\n```/.exec(readme)?.[1]
  if (line === undefined) throw new Error('README.md has no "Layer order" code line')
  return line.split("→").map((layer) => layer.split(",").map((s) => s.trim()))
}

const files = sourceFiles(src)
const graph = new Map(files.map((f) => [f, importsOf(f)]))

describe("architecture", () => {
  it("every import resolves to a file of src/", () => {
    const missing = [...graph].flatMap(([f, targets]) =>
      targets.filter((t) => !graph.has(t)).map((t) => `${path.relative(src, f)} → ${path.relative(src, t)}`)
    )
    expect(missing).toEqual([])
  })

  it("every folder of src/ has a layer, and imports go only to earlier layers or within a folder", () => {
    const layers = layerOrder()
    const rank = new Map(layers.flatMap((folders, i) => folders.map((f) => [f, i] as const)))
    const folders = [...new Set(files.map(folderOf))].filter((f) => f !== "(root)")
    expect(folders.filter((f) => !rank.has(f))).toEqual([])
    const against = [...graph].flatMap(([f, targets]) => {
      const from = folderOf(f)
      if (from === "(root)") return []
      return targets
        .filter((t) => {
          const to = folderOf(t)
          return to !== from && !(rank.get(to)! < rank.get(from)!)
        })
        .map((t) => `${path.relative(src, f)} → ${path.relative(src, t)}`)
    })
    expect(against).toEqual([])
  })

  it("no file-level import cycle", () => {
    // Tarjan's strongly connected components: any component of more than one file is a cycle
    let index = 0
    const indices = new Map<string, number>()
    const low = new Map<string, number>()
    const stack: Array<string> = []
    const onStack = new Set<string>()
    const cycles: Array<Array<string>> = []
    const visit = (v: string) => {
      indices.set(v, index)
      low.set(v, index++)
      stack.push(v)
      onStack.add(v)
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue
        if (!indices.has(w)) {
          visit(w)
          low.set(v, Math.min(low.get(v)!, low.get(w)!))
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!))
      }
      if (low.get(v) === indices.get(v)) {
        const component: Array<string> = []
        let w: string
        do {
          w = stack.pop()!
          onStack.delete(w)
          component.push(path.relative(src, w))
        } while (w !== v)
        if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort())
      }
    }
    for (const f of files) if (!indices.has(f)) visit(f)
    expect(cycles).toEqual([])
  })

  it("the CLI imports other stages only through their entry modules", () => {
    const deep = [...graph]
      .filter(([f]) => folderOf(f) === "cli")
      .flatMap(([f, targets]) =>
        targets
          .filter((t) => folderOf(t) !== "cli" && path.basename(t) !== "index.ts")
          .map((t) => `${path.relative(src, f)} → ${path.relative(src, t)}`)
      )
    expect(deep).toEqual([])
  })

  it('what "concner/losses" loads imports effect by submodule, never its barrel (~0.5 s of CPU more)', () => {
    const reached = new Set<string>()
    const walk = (f: string) => {
      if (reached.has(f) || !graph.has(f)) return
      reached.add(f)
      for (const t of graph.get(f)!) walk(t)
    }
    walk(path.join(src, "losses", "index.ts"))
    const barrel = [...reached].filter((f) =>
      /^import\b[^;]*\bfrom\s+["']effect["']/m.test(readFileSync(f, "utf8"))
    )
    expect(barrel.map((f) => path.relative(src, f))).toEqual([])
  })
})
