/**
 * The workflow engines a grid runs on, all @effect/cluster's `ClusterWorkflowEngine`:
 * - `runnerEngine(url, address)`: a runner of a cluster whose shared store is the Postgres at
 *   `url`; it listens on `address` for the other runners and submitters (a socket, msgpack).
 * - `clientEngine(url)`: a submitter (`concner run --cluster`, `concner status`) that runs no cell.
 * - `localEngine`: one machine, no service, no database — a single runner whose messages and
 *   cell table live in this process's memory (`MessageStorage.layerMemory`, `memoryCellStore`).
 * The cluster's engines also provide the `CellStore` on the same database. Postgres' driver
 * (`@effect/sql-pg`) is an optional peer dependency, loaded only by them: a missing one fails
 * with `ClusterDriverMissing`, saying what to install. The cluster would read HOST/PORT from
 * the environment; the address is always passed explicitly so a stray PORT cannot move a runner.
 * Other settings (SHARD_LOCK_EXPIRATION, default 35 s: how long a dead runner's cells wait for
 * another runner) still come from the environment.
 */
import * as os from "node:os"
import {
  ClusterWorkflowEngine,
  MessageStorage,
  RunnerAddress,
  RunnerHealth,
  RunnerStorage,
  Runners,
  Sharding,
  ShardingConfig
} from "@effect/cluster"
import { NodeClusterSocket } from "@effect/platform-node"
import { Data, Effect, FiberRef, Layer, LogLevel, Option, Redacted } from "effect"
import { CellStore, memoryCellStore } from "./CellStore.js"

/** The Postgres driver a cluster needs is not installed (an optional peer dependency). */
export class ClusterDriverMissing extends Data.TaggedError("ClusterDriverMissing")<{
  readonly reason: string
}> {
  override get message() {
    return `a cluster needs Postgres' driver, which is not installed (${this.reason}): npm install @effect/sql-pg@0.53.0`
  }
}

export interface RunnerAddressOptions {
  /** The name other machines reach this runner by (default: this machine's hostname). */
  readonly host?: string
  readonly port: number
  /** The interface to listen on (default: all). */
  readonly listenHost?: string
}

/** A runner cannot listen on its address: the port is in use, or not this user's to open. */
export class RunnerCannotListen extends Data.TaggedError("RunnerCannotListen")<{
  readonly address: string
  readonly reason: string
}> {
  override get message() {
    return `a runner cannot listen on ${this.address} (${this.reason}): choose another --port, or stop what holds this one`
  }
}

const pg = (url: string) =>
  Layer.unwrapEffect(
    Effect.tryPromise({
      try: () => import("@effect/sql-pg"),
      catch: (e) =>
        new ClusterDriverMissing({ reason: e instanceof Error ? e.message.split("\n")[0]! : String(e) })
    }).pipe(Effect.map(({ PgClient }) => PgClient.layer({ url: Redacted.make(url) })))
  )

const withStore = <A, E, R>(engine: Layer.Layer<A, E, R>) => Layer.merge(engine, CellStore.Default)

/** A runner's engine on the Postgres at `url`. */
export const runnerEngine = (url: string, address: RunnerAddressOptions) => {
  const listen = RunnerAddress.make(address.listenHost ?? "0.0.0.0", address.port)
  return withStore(
    ClusterWorkflowEngine.layer.pipe(
      Layer.provideMerge(
        NodeClusterSocket.layer({
          storage: "sql",
          shardingConfig: {
            runnerAddress: Option.some(RunnerAddress.make(address.host ?? os.hostname(), address.port)),
            runnerListenAddress: Option.some(listen)
          }
        }).pipe(
          // the socket server's own error says only "Open"
          Layer.catchAll((e) =>
            Layer.fail(
              e._tag === "SocketServerError"
                ? new RunnerCannotListen({
                    address: `${listen.host}:${listen.port}`,
                    reason: causeText(e.cause)
                  })
                : e
            )
          )
        )
      )
    )
  ).pipe(Layer.provideMerge(pg(url)))
}

const causeText = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))

/** A submitter's engine on the Postgres at `url`: sends cells to the runners, runs none. */
export const clientEngine = (url: string) =>
  withStore(
    ClusterWorkflowEngine.layer.pipe(
      Layer.provideMerge(NodeClusterSocket.layer({ storage: "sql", clientOnly: true }))
    )
  ).pipe(Layer.provideMerge(pg(url)))

/**
 * One machine, no service, no database: a single runner (as `SingleRunner` builds one) whose
 * message and runner storage and cell table are in memory. The cluster's own warnings are
 * silenced here: on a busy machine its runner bookkeeping times out and warns of "no healthy
 * runners" (about itself), which on one machine means nothing.
 */
export const localEngine = Layer.merge(
  ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(Sharding.layer),
    Layer.provideMerge(Runners.layerNoop),
    Layer.provideMerge(MessageStorage.layerMemory),
    Layer.provide([RunnerStorage.layerMemory, RunnerHealth.layerNoop]),
    // an address is this runner's identity here (nothing listens): without one, Sharding
    // would act as a client and never take the shards
    Layer.provide(ShardingConfig.layer({ runnerAddress: Option.some(RunnerAddress.make("localhost", 0)) }))
  ),
  memoryCellStore
).pipe(Layer.locally(FiberRef.currentMinimumLogLevel, LogLevel.Error))

/** The cell table alone on the Postgres at `url` (`concner status`: reads, joins no cluster). */
export const clusterStore = (url: string) => CellStore.Default.pipe(Layer.provideMerge(pg(url)))
