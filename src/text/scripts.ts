/**
 * The Unicode script of a character, for per-script character coverage in vocabulary training.
 * JS has no "script of" lookup, only `\p{Script=…}` tests, so a character is tested against the
 * scripts of the project's 36 languages and their neighbours; anything else (digits, symbols,
 * punctuation, combining marks shared by scripts) falls into `Common`, `Inherited` or `Other`.
 */

// biome-ignore format: a table
const SCRIPTS = [
  "Latin", "Cyrillic", "Greek", "Armenian", "Georgian", "Hebrew", "Arabic", "Syriac", "Thaana",
  "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam",
  "Sinhala", "Thai", "Lao", "Tibetan", "Myanmar", "Khmer", "Ethiopic", "Hangul", "Hiragana", "Katakana",
  "Han", "Bopomofo", "Mongolian", "Tifinagh", "Nko", "Javanese", "Sundanese", "Balinese", "Common",
  "Inherited"
] as const

const TESTS = SCRIPTS.map((name) => [name, new RegExp(`^\\p{Script=${name}}$`, "u")] as const)

const cache = new Map<string, string>()

/** The script name of one code point (given as a string), or `Other` when it is none of the list. */
export const scriptOf = (c: string): string => {
  const cp = c.codePointAt(0)!
  if (cp < 0x80) return /[A-Za-z]/.test(c) ? "Latin" : "Common"
  let script = cache.get(c)
  if (script === undefined) {
    script = TESTS.find(([, test]) => test.test(c))?.[0] ?? "Other"
    cache.set(c, script)
  }
  return script
}
