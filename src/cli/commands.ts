/**
 * Every command with its one-line description (the root help, and each command's own), and where
 * its module is. A command's module — and the stages it imports — loads only when that command
 * runs, so `concner evaluate` loads no tensors and `concner --version` loads nothing at all.
 */
export interface CommandEntry {
  readonly name: string
  readonly description: string
  /** Hidden from the root help (started by other processes, not by people). */
  readonly internal?: boolean
  /**
   * Old spellings of renamed flags → their names, or → a function of the flag's value choosing
   * the name (one old flag became two): still accepted (scripts use them), never shown.
   */
  readonly renamed?: Readonly<Record<string, string | ((value: string) => string)>>
}

export const commandEntries = [
  {
    name: "quickstart",
    description: "train En, MulDA and ConCNER for one language and print their F1 side by side"
  },
  {
    name: "train",
    description: "train (and distil) one run of a method and score it on the target test set"
  },
  { name: "resume", description: "continue an interrupted run from its last evaluation point" },
  { name: "run", description: "run an experiment grid here or on a cluster and report it" },
  {
    name: "report",
    description: "summarise the runs under a folder (mean ± std over seeds) next to the paper"
  },
  { name: "runs", description: "list the runs under a folder with their names, tags, cells and F1" },
  { name: "evaluate", description: "score predictions against gold tags as conlleval.pl does" },
  { name: "predict", description: "tag a CoNLL file with a trained model (conlleval output)" },
  { name: "encode", description: "print subwords and last hidden states of sentences read from stdin" },
  {
    name: "visualize",
    description: "draw token vectors across languages, or F1 per target language of runs",
    renamed: {
      "--langs": "--lang",
      "--size": "--source-size",
      // `--out FILE` wrote a page for FILE.html and an SVG otherwise
      "--out": (file) => (file.toLowerCase().endsWith(".html") ? "--html" : "--svg")
    }
  },
  {
    name: "translate",
    description: "translate labeled sentences with projected labels (D_TGT)",
    renamed: { "--batch": "--batch-size" }
  },
  { name: "data", description: "inspect the corpora under the data root" },
  { name: "model", description: "create, trim and convert BERT checkpoints" },
  { name: "vocab", description: "build WordPiece vocabularies" },
  {
    name: "pretrain",
    description: "pretrain a multilingual BERT (MLM + translation LM) into an HF folder",
    renamed: { "--steps": "--max-steps" }
  },
  { name: "runner", description: "serve a cluster as a runner: train the grid cells it is assigned" },
  { name: "status", description: "list the cells submitted to a cluster and their progress" },
  { name: "doctor", description: "show the tensor backend and kernels concner uses, and why" },
  {
    name: "runner-cell",
    description: "(started by runners) run one recorded cell, reporting progress to the runner",
    internal: true
  }
] as const satisfies ReadonlyArray<CommandEntry>

export type CommandName = (typeof commandEntries)[number]["name"]

/** A command's one-line description. */
export const describe = (name: CommandName): string =>
  commandEntries.find((c) => c.name === name)!.description
