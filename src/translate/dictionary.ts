/**
 * Word-by-word translation with a bilingual dictionary, UniTrans-style. This is an
 * approximation, not machine translation: each token is replaced on its own, so word order,
 * inflection and multi-word expressions stay English. In exchange the token count is preserved
 * and the tags are copied 1:1.
 *
 * Rules (deterministic):
 * - Entity tokens (tag ≠ O) are copied as written: names are usually kept across languages, and a
 *   dictionary entry for a name is mostly a common-noun reading (`Bush` → `arbusto`).
 * - Tokens without a letter (punctuation, numbers) are copied and not looked up.
 * - Other tokens are looked up as written, then lower-cased; of the first form with an entry, the
 *   first translation in the file's order that differs from the word is taken (MUSE lists the
 *   most frequent first, and its identity pairs, `said said` before `said dijo`, are mostly names
 *   and noise). When the lower-cased form matched and the token starts with an upper-case letter,
 *   the translation's first letter is upper-cased.
 * - A token with no entry, or only identity entries, is copied and counted as untranslated (the
 *   data README's coverage definition).
 */
import { Either } from "effect"
import type { Sentence } from "../data/conll.js"
import { DictionaryFormatError } from "./errors.js"

/** English word → its translations in file order. */
export type Dictionary = ReadonlyMap<string, ReadonlyArray<string>>

/** Parses `ENGLISH TARGET` lines (one ASCII space; LF or CRLF; blank lines skipped). */
export const parseDictionary = (
  text: string,
  file: string
): Either.Either<Dictionary, DictionaryFormatError> => {
  const dictionary = new Map<string, Array<string>>()
  const lines = text.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, "")
    if (line === "") continue
    const space = line.indexOf(" ")
    if (space <= 0 || space === line.length - 1 || line.indexOf(" ", space + 1) !== -1) {
      return Either.left(
        new DictionaryFormatError({
          file,
          line: i + 1,
          text: line,
          reason: "expected `ENGLISH TARGET` (one space)"
        })
      )
    }
    const english = line.slice(0, space)
    const list = dictionary.get(english)
    if (list === undefined) dictionary.set(english, [line.slice(space + 1)])
    else list.push(line.slice(space + 1))
  }
  return Either.right(dictionary)
}

export interface WordByWord {
  readonly tokens: ReadonlyArray<string>
  /** Word tokens outside entities that were looked up. */
  readonly lookedUp: number
  /** Of those, the ones with no entry (copied). */
  readonly untranslated: number
}

const hasLetter = /\p{L}/u
/** Whether a word's first character is an upper-case letter. */
export const startsUpper = (word: string): boolean => {
  const first = String.fromCodePoint(word.codePointAt(0)!)
  return first !== first.toLowerCase() && first === first.toUpperCase()
}

const upperFirst = (word: string) => {
  const first = String.fromCodePoint(word.codePointAt(0)!)
  return first.toUpperCase() + word.slice(first.length)
}

/** Whether a token is looked up at all: it has a letter (punctuation and numbers are copied). */
export const isWord = (token: string): boolean => hasLetter.test(token)

/** One word's translation by the module rules, or `undefined` when it has no non-identity entry. */
export const translateWord = (token: string, dictionary: Dictionary): string | undefined => {
  const lower = token.toLowerCase()
  const exact = dictionary.get(token)
  const key = exact !== undefined ? token : lower
  const translation = (exact ?? dictionary.get(lower))?.find((c) => c !== key)
  if (translation === undefined) return undefined
  return exact === undefined && startsUpper(token) ? upperFirst(translation) : translation
}

/** Translates a sentence token by token (see the module rules); `tags` are untouched. */
export const translateWords = (sentence: Sentence, dictionary: Dictionary): WordByWord => {
  let lookedUp = 0
  let untranslated = 0
  const tokens = sentence.tokens.map((token, i) => {
    if (sentence.tags[i] !== "O" || !isWord(token)) return token
    lookedUp++
    const translation = translateWord(token, dictionary)
    if (translation === undefined) untranslated++
    return translation ?? token
  })
  return { tokens, lookedUp, untranslated }
}
