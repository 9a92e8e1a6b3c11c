/**
 * Projection: an engine's marked-up output line back to a labeled target sentence with a verdict.
 * Labels come only from the markup (types from `class`, identity from `id`); whatever cannot be
 * read that way is counted and, where it is not a clean translation, dropped or kept per the
 * caller's policy. The tags written are always valid IOB2 (`spansToIob2` over disjoint spans).
 */
import { Either } from "effect"
import type { SampledSentence } from "../data/Corpora.js"
import { parseTag, spansToIob2 } from "../data/scheme.js"
import { type MarkedSentence, type MarkupMode, type ParsedSpan, parseMarkup } from "./markup.js"
import {
  type DropReason,
  type MismatchPolicy,
  type SentenceStats,
  type TranslatedSentence,
  cleanStats
} from "./verdict.js"

export interface ProjectionInput {
  readonly source: SampledSentence
  readonly marked: MarkedSentence
  /** The engine's line for the marked sentence. */
  readonly output: string
  /** `placeholder` mode: the engine's line for each entity's text, by entity id. */
  readonly entityOutputs?: ReadonlyArray<string>
  readonly mode: MarkupMode
  readonly policy: MismatchPolicy
  readonly unknownMark?: string
}

const isEntityType = (type: string) => Either.isRight(parseTag(`B-${type}`))

const multiset = (types: ReadonlyArray<string>) => [...types].sort().join(",")

const dropped = (
  input: ProjectionInput,
  reason: DropReason,
  detail: string,
  stats: SentenceStats = cleanStats,
  typesAgree = false
): TranslatedSentence => ({
  index: input.source.index,
  source: input.source.sentence,
  verdict: { kind: "dropped", reason, detail },
  typesAgree,
  stats
})

interface Substituted {
  readonly tokens: ReadonlyArray<string>
  readonly spans: ReadonlyArray<ParsedSpan>
  readonly untranslated: number
}

/** `placeholder` mode: each span must hold exactly its placeholder, replaced by the entity's translation. */
const substitute = (
  input: ProjectionInput,
  tokens: ReadonlyArray<string>,
  spans: ReadonlyArray<ParsedSpan>
): Either.Either<Substituted, [DropReason, string]> => {
  const { entities } = input.marked
  const placeholders = new Set(entities.map((e) => e.placeholder))
  const inSpan = new Set<number>()
  for (const span of spans) {
    const entity = span.id === undefined ? undefined : entities[span.id]
    const content = tokens.slice(span.start, span.end)
    if (entity === undefined || content.length !== 1 || content[0] !== entity.placeholder)
      return Either.left([
        "placeholder-changed",
        `span e${span.id ?? "?"} holds ${JSON.stringify(content.join(" "))}`
      ])
    inSpan.add(span.start)
  }
  const stray = tokens.findIndex((t, i) => placeholders.has(t) && !inSpan.has(i))
  if (stray !== -1)
    return Either.left(["placeholder-changed", `placeholder ${tokens[stray]} outside its span`])
  let untranslated = 0
  const translations: Array<ReadonlyArray<string>> = []
  for (const entity of entities) {
    const line = input.entityOutputs?.[entity.id] ?? ""
    const parsed = parseMarkup(line, {
      plain: true,
      ...(input.unknownMark === undefined ? {} : { unknownMark: input.unknownMark })
    })
    if (Either.isLeft(parsed))
      return Either.left(["malformed-markup", `entity e${entity.id}: ${parsed.left.reason}`])
    if (parsed.right.tokens.length === 0)
      return Either.left(["empty-output", `entity e${entity.id} translated to nothing`])
    untranslated += parsed.right.untranslated
    translations.push(parsed.right.tokens)
  }
  const out: Array<string> = []
  const outSpans: Array<ParsedSpan> = []
  const byStart = new Map(spans.map((s) => [s.start, s]))
  tokens.forEach((token, i) => {
    const span = byStart.get(i)
    if (span === undefined || span.id === undefined) {
      out.push(token)
      return
    }
    const start = out.length
    out.push(...translations[span.id]!)
    outSpans.push({ type: span.type, id: span.id, start, end: out.length })
  })
  return Either.right({ tokens: out, spans: outSpans, untranslated })
}

/** Reads one engine output line as a labeled translation of `input.source`. */
export const project = (input: ProjectionInput): TranslatedSentence => {
  const { entities } = input.marked
  if (input.output.trim() === "") return dropped(input, "empty-output", "the engine returned an empty line")
  const unknown = input.unknownMark === undefined ? {} : { unknownMark: input.unknownMark }
  const uncounted =
    input.mode === "placeholder" ? { uncounted: new Set(entities.map((e) => e.placeholder)) } : {}
  const parsed = parseMarkup(input.output, { ...unknown, ...uncounted })
  if (Either.isLeft(parsed)) return dropped(input, "malformed-markup", parsed.left.reason)
  let { tokens, spans, untranslated } = parsed.right
  if (input.mode === "placeholder") {
    const replaced = substitute(input, tokens, spans)
    if (Either.isLeft(replaced)) return dropped(input, replaced.left[0], replaced.left[1])
    ;({ tokens, spans } = replaced.right)
    untranslated += replaced.right.untranslated
  }
  if (tokens.length === 0) return dropped(input, "empty-output", "the engine returned only markup")
  const untranslatedStats = input.unknownMark === undefined ? {} : { untranslated }

  const sourceTypes = new Set(entities.map((e) => e.type))
  const renamed = spans.filter((s) => {
    if (!isEntityType(s.type)) return true
    const entity = s.id === undefined ? undefined : entities[s.id]
    return entity === undefined ? !sourceTypes.has(s.type) : entity.type !== s.type
  })
  if (renamed.length > 0) {
    const detail = renamed
      .map((s) => `${s.id === undefined ? "" : `e${s.id} `}class ${JSON.stringify(s.type)}`)
      .join(", ")
    return dropped(input, "renamed-type", detail, {
      ...cleanStats,
      renamed: renamed.length,
      ...untranslatedStats
    })
  }

  let split = 0
  let joined = 0
  let lost = 0
  let merged = 0
  let extra = 0
  let final: Array<ParsedSpan>
  if (spans.some((s) => s.id === undefined)) {
    // Without ids (an engine that drops attributes) only the type counts can be compared.
    final = spans.filter((s) => s.start < s.end)
    const count = (types: ReadonlyArray<string>) =>
      types.reduce((m, t) => m.set(t, (m.get(t) ?? 0) + 1), new Map<string, number>())
    const want = count(entities.map((e) => e.type))
    const got = count(final.map((s) => s.type))
    for (const type of new Set([...want.keys(), ...got.keys()])) {
      const diff = (got.get(type) ?? 0) - (want.get(type) ?? 0)
      if (diff > 0) extra += diff
      else lost -= diff
    }
  } else {
    final = []
    // Each entity's non-empty pieces, with their position among all spans (to tell adjacency).
    const pieces = new Map<number, Array<{ readonly span: ParsedSpan; readonly order: number }>>()
    spans.forEach((span, order) => {
      const id = span.id!
      if (id >= entities.length) extra++
      else if (span.start < span.end) pieces.set(id, [...(pieces.get(id) ?? []), { span, order }])
    })
    for (const list of pieces.values()) {
      const adjacent = list.every(
        (p, k) => k === 0 || (p.span.start === list[k - 1]!.span.end && p.order === list[k - 1]!.order + 1)
      )
      const first = list[0]!.span
      if (list.length === 1) final.push(first)
      else if (adjacent) {
        joined++
        final.push({ ...first, end: list[list.length - 1]!.span.end })
      } else {
        split++
        final.push(...list.map((p) => p.span))
      }
    }
    for (const entity of entities) {
      if (pieces.has(entity.id)) continue
      lost++
      const neighbours = [entities[entity.id - 1], entities[entity.id + 1]]
      if (neighbours.some((n) => n !== undefined && n.type === entity.type && pieces.has(n.id))) merged++
    }
    final.sort((a, b) => a.start - b.start)
  }
  const stats: SentenceStats = { split, joined, lost, merged, extra, renamed: 0, ...untranslatedStats }
  const typesAgree = multiset(final.map((s) => s.type)) === multiset(entities.map((e) => e.type))
  if (input.policy === "drop") {
    const reason: [DropReason, string] | undefined =
      split > 0
        ? ["split-entity", `${split} entities came back in non-adjacent pieces`]
        : lost > 0
          ? ["lost-entity", `${lost} of ${entities.length} entities have no span`]
          : extra > 0
            ? ["extra-entity", `${extra} spans have no source entity`]
            : !typesAgree
              ? ["type-mismatch", "entity types differ from the source's"]
              : undefined
    if (reason !== undefined) return dropped(input, reason[0], reason[1], stats, typesAgree)
  }
  const target = { tokens, tags: spansToIob2(final, tokens.length), line: input.source.sentence.line }
  return {
    index: input.source.index,
    source: input.source.sentence,
    target,
    verdict: joined > 0 ? { kind: "repaired", repairs: ["joined-pieces"] } : { kind: "kept" },
    typesAgree,
    stats
  }
}
