/**
 * Code-switched MLM (CoSDA-ML, Qin et al. 2020): English sentences in which a share of the words is
 * replaced by a dictionary translation into one of several languages, then masked like any other
 * sentence. Predicting an English word from German/Spanish/Dutch neighbours (and back) pulls
 * translations together in the encoder, a known cheap substitute for parallel text.
 *
 * Rules (deterministic for a given key):
 * - Each word token (one with a letter) is switched with probability `ratio`, into a language drawn
 *   uniformly from the dictionaries given; its translation follows the dictionary engine's rule
 *   (`translateWord`: the first non-identity entry, case kept).
 * - Capitalised words after the first position are never switched: without labels they are the
 *   likeliest names, and a dictionary entry for a name is mostly a common-noun reading (the
 *   dictionary engine keeps entity tokens for the same reason; pretraining uses no labels).
 * - A word with no entry stays English. The token count is preserved, so word alignment is 1:1.
 */
import { hashSeed, mulberry32 } from "../data/sampling.js"
import { type Dictionary, isWord, startsUpper, translateWord } from "../translate/dictionary.js"

export interface CodeSwitchDictionary {
  readonly lang: string
  readonly dictionary: Dictionary
}

export interface CodeSwitched {
  readonly words: ReadonlyArray<string>
  /** Per word: the language it was switched into, or `undefined` when it stayed. */
  readonly switchedTo: ReadonlyArray<string | undefined>
}

/** `words` with a share `ratio` of them switched, as the module describes; seeded by `key`. */
export const codeSwitch = (
  words: ReadonlyArray<string>,
  dictionaries: ReadonlyArray<CodeSwitchDictionary>,
  ratio: number,
  key: string
): CodeSwitched => {
  const next = mulberry32(hashSeed(key))
  const switchedTo: Array<string | undefined> = []
  const out = words.map((word, i) => {
    // two draws per word whatever happens, so one word's outcome never shifts the next word's draws
    const switchDraw = next()
    const langDraw = next()
    if (dictionaries.length === 0 || switchDraw >= ratio || !isWord(word) || (i > 0 && startsUpper(word))) {
      switchedTo.push(undefined)
      return word
    }
    const target = dictionaries[Math.floor(langDraw * dictionaries.length)]!
    const translation = translateWord(word, target.dictionary)
    switchedTo.push(translation === undefined ? undefined : target.lang)
    return translation ?? word
  })
  return { words: out, switchedTo }
}
