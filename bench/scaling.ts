/**
 * `--threads 1,2`: the benchmark once per thread count, each in its own process (a process's tfjs
 * and PyTorch threads are set when it starts), then how each side scales: the step time at the
 * first count over the step time at each other count (> 1: faster with more threads).
 */
import { spawnSync } from "node:child_process"

interface Side {
  readonly s_per_step: number
  readonly eval_s_per_step: number
}
interface Report {
  readonly threads: number
  readonly gemms: Readonly<Record<string, Side>>
  readonly reference: Side | string
}

/** This script again with `--threads n --json` for each count; their reports in order. */
export const runPerThreadCount = (
  counts: ReadonlyArray<number>,
  argv: ReadonlyArray<string>
): Array<Report> => {
  const rest: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--threads") i++
    else if (!argv[i]!.startsWith("--threads=") && argv[i] !== "--json") rest.push(argv[i]!)
  }
  return counts.map((n) => {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, process.argv[1]!, ...rest, "--threads", String(n), "--json"],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
        maxBuffer: 1 << 26
      }
    )
    const line = child.stdout.trim().split("\n").at(-1) ?? ""
    if (child.status !== 0 || !line.startsWith("{"))
      throw new Error(`bench --threads ${n} failed (exit ${child.status})`)
    return JSON.parse(line) as Report
  })
}

const speedup = (base: number, other: number) => Number((base / other).toFixed(3))

/** Per side (each GEMM, and PyTorch): train and eval speed-up from the first count to each other one. */
export const scaling = (reports: ReadonlyArray<Report>) => {
  const [first, ...others] = reports
  if (first === undefined) return []
  const sides = (r: Report): Array<[string, Side]> => [
    ...Object.entries(r.gemms),
    ...(typeof r.reference === "string" ? [] : [["pytorch", r.reference] as [string, Side]])
  ]
  return others.flatMap((r) => {
    const base = new Map(sides(first))
    return sides(r).flatMap(([name, side]) => {
      const b = base.get(name)
      return b === undefined
        ? []
        : [
            {
              side: name,
              threads: `${first.threads} → ${r.threads}`,
              train: speedup(b.s_per_step, side.s_per_step),
              eval: speedup(b.eval_s_per_step, side.eval_s_per_step)
            }
          ]
    })
  })
}
