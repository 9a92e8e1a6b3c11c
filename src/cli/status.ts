/**
 * `concner status --cluster URL [--grid NAME]`: the cells submitted to a cluster — state
 * (queued, running, stalled, done, failed), runner, stage step/total, ETA, run directory — with
 * each grid's summary. It reads the cluster's cell table only; no runner needs to be up.
 */
import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { CellStore, clusterStore, formatStatus } from "../cluster/index.js"
import { describe } from "./commands.js"
import { clusterOption } from "./runner.js"

const grid = Options.text("grid").pipe(Options.optional, Options.withDescription("only this grid's cells"))

export const statusCommand = Command.make("status", { cluster: clusterOption, grid }, (flags) =>
  Effect.gen(function* () {
    const listing = yield* (yield* CellStore).list()
    const rows = Option.match(flags.grid, {
      onNone: () => listing.rows,
      onSome: (name) => listing.rows.filter((r) => r.grid === name)
    })
    yield* Console.log(formatStatus({ now: listing.now, rows }))
  }).pipe(Effect.provide(clusterStore(flags.cluster)))
).pipe(Command.withDescription(describe("status")))
