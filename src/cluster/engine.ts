/**
 * The workflow engines a grid runs on, all @effect/cluster's `ClusterWorkflowEngine`:
 * - `runnerEngine(url, address)`: a runner of a cluster whose shared store is the Postgres at
 *   `url`; it listens on `address` for the other runners and submitters (a socket, msgpack).
 * - `clientEngine(url)`: a submitter (`concner run --cluster`, `concner status`) that runs no cell.
 * - `localEngine`: one machine, no service — a single runner over an in-memory SQLite store.
 * Each also provides the `CellStore` on the same database. The cluster would read HOST/PORT from
 * the environment; the address is always passed explicitly so a stray PORT cannot move a runner.
 * Other settings (SHARD_LOCK_EXPIRATION, default 35 s: how long a dead runner's cells wait for
 * another runner) still come from the environment.
 */
import * as os from "node:os"
import { ClusterWorkflowEngine, RunnerAddress, SingleRunner } from "@effect/cluster"
import { NodeClusterSocket } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { SqliteClient } from "@effect/sql-sqlite-node"
import { FiberRef, Layer, LogLevel, Option, Redacted } from "effect"
import { CellStore } from "./CellStore.js"

export interface RunnerAddressOptions {
  /** The name other machines reach this runner by (default: this machine's hostname). */
  readonly host?: string
  readonly port: number
  /** The interface to listen on (default: all). */
  readonly listenHost?: string
}

const pg = (url: string) => PgClient.layer({ url: Redacted.make(url) })

const withStore = <A, E, R>(engine: Layer.Layer<A, E, R>) => Layer.merge(engine, CellStore.Default)

/** A runner's engine on the Postgres at `url`. */
export const runnerEngine = (url: string, address: RunnerAddressOptions) =>
  withStore(
    ClusterWorkflowEngine.layer.pipe(
      Layer.provideMerge(
        NodeClusterSocket.layer({
          storage: "sql",
          shardingConfig: {
            runnerAddress: Option.some(RunnerAddress.make(address.host ?? os.hostname(), address.port)),
            runnerListenAddress: Option.some(
              RunnerAddress.make(address.listenHost ?? "0.0.0.0", address.port)
            )
          }
        })
      )
    )
  ).pipe(Layer.provideMerge(pg(url)))

/** A submitter's engine on the Postgres at `url`: sends cells to the runners, runs none. */
export const clientEngine = (url: string) =>
  withStore(
    ClusterWorkflowEngine.layer.pipe(
      Layer.provideMerge(NodeClusterSocket.layer({ storage: "sql", clientOnly: true }))
    )
  ).pipe(Layer.provideMerge(pg(url)))

/**
 * One machine, no service: a single runner whose store is an in-memory SQLite database. The
 * cluster's own warnings are silenced here: on a busy machine its runner bookkeeping times out
 * and warns of "no healthy runners" (about itself), which on one machine means nothing.
 */
export const localEngine = withStore(
  ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(
      SingleRunner.layer({
        runnerStorage: "memory",
        // an address is this runner's identity here (nothing listens): without one, Sharding
        // would act as a client and never take the shards
        shardingConfig: { runnerAddress: Option.some(RunnerAddress.make("localhost", 0)) }
      })
    )
  )
).pipe(
  Layer.provideMerge(SqliteClient.layer({ filename: ":memory:" })),
  Layer.locally(FiberRef.currentMinimumLogLevel, LogLevel.Error)
)

/** The cell table alone on the Postgres at `url` (`concner status`: reads, joins no cluster). */
export const clusterStore = (url: string) => CellStore.Default.pipe(Layer.provideMerge(pg(url)))
