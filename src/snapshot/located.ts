// Reading untyped JSON (parsed manifests) with the location of every value, so each problem is
// reported with its file, document and field path, worded like the API server's validation.
import { PROTOCOLS, type Protocol } from '../model/cluster.js'
import { InputError } from '../model/errors.js'
import { isPortName, isPortNumber } from '../model/ports.js'

export type Json = Record<string, unknown>

export interface Where {
  file: string
  document: number
  /** Path inside the document; '' for the document root. */
  field: string
}


export function at(where: Where, key: string | number): Where {
  const step = typeof key === 'number' ? `[${key}]` : where.field ? `.${key}` : key
  return { ...where, field: where.field + step }
}

export function fail(where: Where, message: string): never {
  throw new InputError(message, { file: where.file, document: where.document, field: where.field || undefined })
}

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'string') return `"${value}"`
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${String(value)}`
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function asObject(value: unknown, where: Where, what: string): Json {
  if (!isObject(value)) fail(where, `expected ${what} (a mapping), got ${describe(value)}`)
  return value
}

export function asString(value: unknown, where: Where): string {
  if (typeof value !== 'string') fail(where, `expected a string, got ${describe(value)}`)
  return value
}

export function optionalObject(parent: Json, key: string, where: Where): Json | undefined {
  const value = parent[key] ?? undefined
  return value === undefined ? undefined : asObject(value, at(where, key), key)
}

export function optionalString(parent: Json, key: string, where: Where): string | undefined {
  const value = parent[key] ?? undefined
  return value === undefined ? undefined : asString(value, at(where, key))
}

export function optionalBoolean(parent: Json, key: string, where: Where): boolean | undefined {
  const value = parent[key] ?? undefined
  if (value !== undefined && typeof value !== 'boolean') fail(at(where, key), `expected true or false, got ${describe(value)}`)
  return value
}

export function optionalArray(parent: Json, key: string, where: Where): unknown[] | undefined {
  const value = parent[key] ?? undefined
  if (value !== undefined && !Array.isArray(value)) fail(at(where, key), `expected a list, got ${describe(value)}`)
  return value
}

/** Converts each item of an optional list; absent or null stays undefined, [] stays []. */
export function mapArray<T>(parent: Json, key: string, where: Where, convert: (value: unknown, where: Where) => T): T[] | undefined {
  const listAt = at(where, key)
  return optionalArray(parent, key, where)?.map((item, i) => convert(item, at(listAt, i)))
}

/** A string → string map such as labels; values that YAML read as numbers or booleans are rejected like the API server does. */
export function stringMap(parent: Json, key: string, where: Where): Record<string, string> | undefined {
  const map = optionalObject(parent, key, where)
  if (!map) return undefined
  for (const [name, value] of Object.entries(map)) {
    if (typeof value !== 'string') {
      fail({ ...where, field: `${at(where, key).field}[${name}]` }, `value must be a string, got ${describe(value)}; quote it in YAML (e.g. "${String(value)}")`)
    }
  }
  return map as Record<string, string>
}

export function rejectUnknownFields(object: Json, known: string[], where: Where): void {
  const unknown = Object.keys(object).find((key) => !known.includes(key))
  if (unknown !== undefined) fail(at(where, unknown), `unknown field "${unknown}"; expected one of ${known.join(', ')}`)
}

export function withoutUndefined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T
}


// Ports and protocols

export function optionalProtocol(object: Json, where: Where): Protocol | undefined {
  const value = object.protocol ?? undefined
  if (value === undefined) return undefined
  if (PROTOCOLS.includes(value as Protocol)) return value as Protocol
  const hint = typeof value === 'string' && PROTOCOLS.includes(value.toUpperCase() as Protocol) ? ` (protocol names are case-sensitive: write ${value.toUpperCase()})` : ''
  fail(at(where, 'protocol'), `protocol must be one of ${PROTOCOLS.join(', ')}, got ${describe(value)}${hint}`)
}

export function portNumber(value: unknown, where: Where): number {
  if (!isPortNumber(value)) {
    fail(where, `expected a port number, an integer 1–65535, got ${describe(value)}`)
  }
  return value
}

export function portNumberOrName(value: unknown, where: Where): number | string {
  if (typeof value === 'number') return portNumber(value, where)
  if (typeof value !== 'string') fail(where, `expected a port number (1–65535) or a port name, got ${describe(value)}`)
  if (/^\d+$/.test(value)) {
    fail(where, `"${value}" is a string, not a number; write the port without quotes (${value}) or use a port name`)
  }
  if (!isPortName(value)) {
    fail(where, `"${value}" is not a valid port name; expected 1–15 lowercase letters, digits and '-', with at least one letter and no leading, trailing or double '-'`)
  }
  return value
}
