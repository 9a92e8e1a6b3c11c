/** Text wrapping for help, with no dependency: the root help (main.ts) loads nothing else. */

/**
 * `text` in lines of at most `width` characters (a longer word stays whole): the first after
 * `first`, the others after `indent`.
 */
export const wrap = (text: string, width: number, indent = "", first = indent): Array<string> => {
  const lines: Array<string> = []
  let line = first
  let empty = true
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line)
      line = indent + word
    } else line = empty ? line + word : `${line} ${word}`
    empty = false
  }
  return empty ? lines : [...lines, line]
}
