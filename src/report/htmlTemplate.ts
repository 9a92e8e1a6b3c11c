/**
 * HTML that is escaped by construction: `html` is a tagged template in which every interpolated
 * string or number is escaped, and only `Html` values (made by `html` itself, or by `trustedHtml`
 * for markup this program produced, such as vega's SVG) pass through unchanged. Hand-written:
 * it is a few lines, and no template engine is a dependency of concner.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

export type HtmlPart = Html | string | number | boolean | undefined | null | ReadonlyArray<HtmlPart>

/** Escapes the five characters that can end text or a quoted attribute value. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

const render = (part: HtmlPart): string => {
  if (part instanceof Html) return part.value
  if (Array.isArray(part)) return part.map(render).join("")
  // false/undefined/null render as nothing so `cond && html\`…\`` reads naturally
  if (part === undefined || part === null || part === false) return ""
  return escapeHtml(String(part))
}

export const html = (strings: TemplateStringsArray, ...parts: ReadonlyArray<HtmlPart>): Html => {
  let out = strings[0]!
  for (let i = 0; i < parts.length; i++) out += render(parts[i]!) + strings[i + 1]!
  return new Html(out)
}

/** Markup taken as is: only for text this program generated (SVG from the chart renderer). */
export const trustedHtml = (markup: string): Html => new Html(markup)
