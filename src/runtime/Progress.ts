/**
 * Progress of a long command on stderr, as tqdm shows it. On a terminal: one status line redrawn
 * in place and cut to the terminal's width (it never wraps): stage k/n, step/total, loss, tokens/s,
 * elapsed and the ETA of the whole run. Elsewhere (a pipe, a file, `nohup`): the same fields as a
 * plain line at each stage's start and end and at least every 30 s. Lines that stay (an
 * evaluation, a notice) go above the status line (`statusLine.ts` draws it). Hand-written rather
 * than `cli-progress`: that package prints nothing without a TTY unless told, and a run needs the
 * periodic plain line and the resume notice on interruption, which are most of this file.
 *
 * Times come from Effect's `Clock` (tests drive them with `TestClock`).
 */
import { Clock, Context, Effect, Exit, Layer, Schedule } from "effect"
import { type ProgressSink, type StatusField, makeStatusLine, stderrSink } from "./statusLine.js"

/** A stage of a run and its planned steps (the whole run's ETA counts them all). */
export interface ProgressStage {
  readonly name: string
  readonly total: number
}

export interface ProgressTick {
  readonly stage: string
  /** Steps of `stage` done so far (1 after its first step). */
  readonly step: number
  readonly total: number
  readonly loss?: number
  /** Tokens processed by this step (for tokens/s). */
  readonly tokens?: number
  /** Shown after the other fields while the line has room (loss terms, best dev F1). */
  readonly detail?: string
}

export interface ProgressService {
  /** The run's stages in order; a tick of a stage not planned appends it. */
  readonly plan: (stages: ReadonlyArray<ProgressStage>) => Effect.Effect<void>
  readonly tick: (tick: ProgressTick) => Effect.Effect<void>
  /** A line that stays (an evaluation's result): above the status line, or a plain line. */
  readonly log: (line: string) => Effect.Effect<void>
}

/** Progress that shows nothing (`--quiet`, tests). */
export const silentProgress: ProgressService = {
  plan: () => Effect.void,
  tick: () => Effect.void,
  log: () => Effect.void
}

/** `3m02s`, `1h10m`. */
export const formatDuration = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000))
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0")
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${mm}m`
    : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
}

interface State {
  readonly stages: Array<ProgressStage>
  readonly started: number
  tick?: ProgressTick
  /** When this process's first step ended. */
  firstAt?: number
  /** Steps done in this process (a resumed run starts mid-way), tokens since its first step. */
  done: number
  tokens: number
}

/** The status line's fields in their order on the line. */
const fields = (state: State, tick: ProgressTick, now: number): Array<StatusField> => {
  const k = state.stages.findIndex((s) => s.name === tick.stage)
  const elapsed = now - state.started
  const left = tick.total - tick.step + state.stages.slice(k + 1).reduce((sum, s) => sum + s.total, 0)
  // the pace since the first step (loading data is not a step's time)
  const eta =
    state.done > 1 && state.firstAt !== undefined
      ? formatDuration((left * (now - state.firstAt)) / (state.done - 1))
      : "?"
  const pct = tick.total > 0 ? Math.floor((100 * tick.step) / tick.total) : 0
  const timed = state.firstAt === undefined ? 0 : now - state.firstAt
  const rate = timed > 0 ? Math.round((state.tokens * 1000) / timed) : 0
  return [
    { keep: 0, text: `[${k + 1}/${state.stages.length}] ${tick.stage} ${tick.step}/${tick.total}` },
    { keep: 5, text: `${pct}%` },
    ...(tick.loss !== undefined ? [{ keep: 1, text: `loss ${tick.loss.toFixed(4)}` }] : []),
    ...(rate > 0 ? [{ keep: 4, text: `${rate.toLocaleString("en-US")} tok/s` }] : []),
    { keep: 3, text: `elapsed ${formatDuration(elapsed)}` },
    { keep: 2, text: `ETA ${eta}` },
    ...(tick.detail !== undefined ? [{ keep: 6, text: tick.detail }] : [])
  ]
}

/** On interruption (Ctrl-C, SIGTERM): how to resume, where the command has a way. */
const resumeNotice =
  (sink: ProgressSink, resume: string | undefined) => (exit: Exit.Exit<unknown, unknown>) =>
    Effect.sync(() => {
      if (resume !== undefined && Exit.isInterrupted(exit))
        sink.write(`interrupted: the run is resumable from its last evaluation with\n  ${resume}\n`)
    })

const make = (sink: ProgressSink, everyMs: number, resume: string | undefined) =>
  Effect.gen(function* () {
    const state: State = { stages: [], started: yield* Clock.currentTimeMillis, done: 0, tokens: 0 }
    let printed = state.started
    const line = makeStatusLine(sink)
    const show = (now: number) => {
      if (state.tick === undefined) return
      printed = now
      line.show(fields(state, state.tick, now))
    }
    const service: ProgressService = {
      plan: (stages) =>
        Effect.sync(() => {
          state.stages.splice(0, state.stages.length, ...stages)
        }),
      tick: (tick) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const previous = state.tick
          const sameStage = previous?.stage === tick.stage
          const k = state.stages.findIndex((s) => s.name === tick.stage)
          if (k === -1) state.stages.push({ name: tick.stage, total: tick.total })
          else state.stages[k] = { name: tick.stage, total: tick.total }
          state.done += sameStage ? Math.max(0, tick.step - previous.step) : 1
          // timed from the end of the first step: its tokens are before that
          if (state.firstAt !== undefined) state.tokens += tick.tokens ?? 0
          state.tick = tick
          state.firstAt ??= now
          // a stage's first and last step always; between, a TTY at most every 0.1 s (tqdm's mininterval)
          if (!sameStage || tick.step === tick.total || now - printed >= (sink.isTTY ? 100 : everyMs))
            show(now)
        }),
      log: (text) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          line.log(text)
          // the status line again below it: on a terminal it is redrawn, elsewhere each evaluation has one
          show(now)
        })
    }
    // without a terminal, a line at least every `everyMs` even while no step ends (an evaluation)
    if (!sink.isTTY)
      yield* Effect.forkScoped(
        Effect.repeat(
          Effect.flatMap(Clock.currentTimeMillis, (now) =>
            Effect.sync(() => {
              if (state.tick !== undefined && now - printed >= everyMs) show(now)
            })
          ),
          Schedule.spaced("1 second")
        )
      )
    // a terminal keeps the last status line, as tqdm does
    yield* Effect.addFinalizer((exit) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        line.close(
          state.tick !== undefined && !Exit.isInterrupted(exit) ? fields(state, state.tick, now) : undefined
        )
        return resumeNotice(sink, resume)(exit)
      })
    )
    return service
  })

export class Progress extends Context.Tag("concner/Progress")<Progress, ProgressService>() {
  /** No progress lines; the resume notice on interruption still goes to `sink`. */
  static quiet = (resume?: string, sink: ProgressSink = stderrSink) =>
    Layer.scoped(Progress, Effect.as(Effect.addFinalizer(resumeNotice(sink, resume)), silentProgress))

  /**
   * Progress on `sink` (a redrawn line on a TTY, a plain line every `everyMs` otherwise); on
   * interruption (Ctrl-C, SIGTERM) the command that resumes the run, when there is one.
   */
  static layer = (
    options: { readonly resume?: string; readonly sink?: ProgressSink; readonly everyMs?: number } = {}
  ) => Layer.scoped(Progress, make(options.sink ?? stderrSink, options.everyMs ?? 30_000, options.resume))
}
