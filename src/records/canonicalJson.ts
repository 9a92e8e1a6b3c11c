/**
 * Canonical JSON: object keys sorted (by UTF-16 code units, JS's default order), no whitespace, numbers
 * as `JSON.stringify` writes them. Equal values give equal text, so the SHA-256 of the text is a stable
 * identity for a resolved spec. Hand-written because `JSON.stringify` keeps insertion order and always
 * moves integer-like keys first; and, unlike it, this refuses what JSON cannot hold (NaN, ±Infinity,
 * bigint, functions, `undefined` in arrays) instead of silently writing `null` or dropping it.
 * Object keys whose value is `undefined` are omitted, as absent optional fields are.
 */
import { createHash } from "node:crypto"

export const canonicalJson = (value: unknown): string => {
  const write = (v: unknown, path: string): string => {
    if (v === null || typeof v === "boolean" || typeof v === "string") return JSON.stringify(v)
    if (typeof v === "number") {
      if (!Number.isFinite(v)) throw new TypeError(`canonicalJson: ${path} is ${v}, which JSON cannot hold`)
      return JSON.stringify(v)
    }
    if (Array.isArray(v)) return `[${v.map((x, i) => write(x, `${path}[${i}]`)).join(",")}]`
    if (typeof v === "object") {
      const keys = Object.keys(v)
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .sort()
      return `{${keys.map((k) => `${JSON.stringify(k)}:${write((v as Record<string, unknown>)[k], `${path}.${k}`)}`).join(",")}}`
    }
    throw new TypeError(`canonicalJson: ${path} is a ${typeof v}, which JSON cannot hold`)
  }
  return write(value, "$")
}

/** Hex SHA-256 of the canonical JSON of `value`. */
export const canonicalHash = (value: unknown): string =>
  createHash("sha256").update(canonicalJson(value), "utf8").digest("hex")
