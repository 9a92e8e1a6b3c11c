/** Each command's module, imported when that command runs (`execute.ts`) or its help is shown. */
import type { Command } from "@effect/cli"
import type { NodeContext } from "@effect/platform-node"
import type { CommandName } from "./commands.js"

// biome-ignore lint/suspicious/noExplicitAny: each command has its own name and flags; only @effect/cli reads them
export type AnyCommand = Command.Command<any, NodeContext.NodeContext, unknown, any>

export const load: Record<CommandName, () => Promise<AnyCommand>> = {
  quickstart: () => import("./quickstart.js").then((m) => m.quickstartCommand),
  train: () => import("./train.js").then((m) => m.trainCommand),
  resume: () => import("./resume.js").then((m) => m.resumeCommand),
  run: () => import("./run.js").then((m) => m.runCommand),
  report: () => import("./report.js").then((m) => m.reportCommand),
  runs: () => import("./runs.js").then((m) => m.runsCommand),
  evaluate: () => import("./evaluate.js").then((m) => m.evaluateCommand),
  predict: () => import("./predict.js").then((m) => m.predictCommand),
  encode: () => import("./encode.js").then((m) => m.encodeCommand),
  visualize: () => import("./visualize.js").then((m) => m.visualizeCommand),
  translate: () => import("./translate.js").then((m) => m.translateCommand),
  data: () => import("./data.js").then((m) => m.dataCommand),
  model: () => import("./model.js").then((m) => m.modelCommand),
  vocab: () => import("./vocab.js").then((m) => m.vocabCommand),
  pretrain: () => import("./pretrain.js").then((m) => m.pretrainCommand),
  runner: () => import("./runner.js").then((m) => m.runnerCommand),
  status: () => import("./status.js").then((m) => m.statusCommand),
  doctor: () => import("./doctor.js").then((m) => m.doctorCommand),
  "runner-cell": () => import("./runner.js").then((m) => m.runnerCellCommand)
}
