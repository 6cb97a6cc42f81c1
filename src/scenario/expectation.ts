// The compact expectation syntax shared by scenarios and `probe --expect`:
//   FROM -> TO[:PORT[/PROTOCOL]] allow|deny
// where FROM and TO are `*`, `NAME` (a scenario short name, or NAMESPACE/POD), `NAMESPACE/*` or
// `NAMESPACE/LABEL-SELECTOR`; and the truth-table form, one expectation per cell. Pure: errors are
// plain messages the caller locates.
import type { Labels, Protocol } from '../model/cluster.js'
import { isPortNumber, protocolNamed } from '../model/ports.js'
import { parseLabelSelector } from '../evaluate/scope.js'
import { compileSelector, type LabelMatcher } from '../evaluate/selector.js'

export type PeerPattern =
  | { kind: 'all' }
  | { kind: 'namespace'; namespace: string }
  | { kind: 'name'; name: string }
  | { kind: 'selector'; namespace: string; selector: LabelMatcher }

export interface Expectation {
  /** As written (tables produce one synthesised line per cell). */
  text: string
  from: PeerPattern
  to: PeerPattern
  /** Absent: every port the destination declares. */
  port?: number | string
  /** Absent with a port: TCP. */
  protocol?: Protocol
  allowed: boolean
}

/** A pod an expectation can name. */
export interface Candidate {
  /** What `NAME` matches besides NAMESPACE/POD: the scenario short name. */
  id: string
  namespace: string
  name: string
  labels: Labels
  ports: Array<{ port: number; protocol: Protocol; name?: string }>
}

export interface ConnectionKey {
  from: string
  to: string
  port: number
  protocol: Protocol
}

/** A connection an expectation line decides, and what the line expects of it. */
export interface ExpectedOf extends ConnectionKey {
  /** The expectation line. */
  expectation: string
  expected: 'allow' | 'deny'
}

export class ExpectationSyntaxError extends Error {}

const LINE = /^\s*(\S+)\s*->\s*(\S+)\s+(allow|deny)\s*$/
const DESTINATION = /^(.+?)(?::([a-z0-9-]+)(?:\/([a-z]+))?)?$/i

export function parseExpectation(text: string): Expectation {
  const line = LINE.exec(text)
  if (!line) throw new ExpectationSyntaxError(`cannot parse ${JSON.stringify(text)}: expected "FROM -> TO[:PORT[/PROTOCOL]] allow|deny"`)
  const destination = DESTINATION.exec(line[2])!
  const protocol = destination[3] === undefined ? undefined : parseProtocolName(destination[3])
  return {
    text: text.trim(),
    from: parsePeer(line[1]),
    to: parsePeer(destination[1]),
    ...(destination[2] === undefined ? {} : { port: parsePortText(destination[2]) }),
    ...(protocol ? { protocol } : {}),
    allowed: line[3] === 'allow',
  }
}

/**
 * A truth table: the first line lists the destinations (optionally after a corner label such as
 * `-`), each further line a source and one cell per destination: `.` allow, `X` deny, `?` none.
 */
export function parseTable(portText: string, rows: string): Expectation[] {
  const [portPart, protocolPart] = portText.split('/')
  const port = parsePortText(portPart)
  const protocol = protocolPart === undefined ? 'TCP' : parseProtocolName(protocolPart)
  const lines = rows.split('\n').map((l) => l.trim().split(/\s+/).filter(Boolean)).filter((l) => l.length > 0)
  if (lines.length < 2) throw new ExpectationSyntaxError('a table needs a header line of destinations and at least one source line')
  const [header, ...sources] = lines
  const destinations = header.length === sources[0].length ? header.slice(1) : header
  return sources.flatMap((cells, row) => {
    const [from, ...marks] = cells
    if (marks.length !== destinations.length) {
      throw new ExpectationSyntaxError(`table line ${row + 2} ("${from}") has ${marks.length} cells for ${destinations.length} destinations`)
    }
    return marks.flatMap((mark, column): Expectation[] => {
      if (mark === '?') return []
      if (mark !== '.' && mark.toUpperCase() !== 'X') throw new ExpectationSyntaxError(`table line ${row + 2}: cell ${JSON.stringify(mark)} must be . (allow), X (deny) or ? (no expectation)`)
      const verdict = mark === '.' ? 'allow' : 'deny'
      return [{ ...parseExpectation(`${from} -> ${destinations[column]}:${port}/${protocol.toLowerCase()} ${verdict}`), protocol }]
    })
  })
}

function parsePeer(text: string): PeerPattern {
  if (text === '*') return { kind: 'all' }
  const slash = text.indexOf('/')
  if (slash < 0) return { kind: 'name', name: text }
  const namespace = text.slice(0, slash)
  const rest = text.slice(slash + 1)
  if (rest === '*') return { kind: 'namespace', namespace }
  if (/[=!,]/.test(rest)) {
    try {
      return { kind: 'selector', namespace, selector: compileSelector(parseLabelSelector(rest)) }
    } catch {
      throw new ExpectationSyntaxError(`cannot parse the label selector in ${JSON.stringify(text)}: expected e.g. ns/app=web,tier!=db`)
    }
  }
  return { kind: 'name', name: text }
}

function parsePortText(text: string): number | string {
  if (/^\d+$/.test(text)) {
    const port = Number(text)
    if (!isPortNumber(port)) throw new ExpectationSyntaxError(`port ${text} must be between 1 and 65535`)
    return port
  }
  return text
}

function parseProtocolName(text: string): Protocol {
  const protocol = protocolNamed(text)
  if (!protocol) throw new ExpectationSyntaxError(`unknown protocol ${JSON.stringify(text)}: expected tcp, udp or sctp`)
  return protocol
}

export function peerMatches(pattern: PeerPattern, candidate: Candidate): boolean {
  switch (pattern.kind) {
    case 'all': return true
    case 'namespace': return candidate.namespace === pattern.namespace
    case 'name': return candidate.id === pattern.name || `${candidate.namespace}/${candidate.name}` === pattern.name
    case 'selector': return candidate.namespace === pattern.namespace && pattern.selector.matches(candidate.labels)
  }
}

/** The destination ports an expectation covers: a number, a name resolved on the destination, or all it declares. */
export function portsCovered(expectation: Expectation, destination: Candidate): Array<{ port: number; protocol: Protocol }> {
  const { port, protocol } = expectation
  if (port === undefined) return destination.ports.filter((p) => protocol === undefined || p.protocol === protocol)
  if (typeof port === 'number') return destination.ports.filter((p) => p.port === port && p.protocol === (protocol ?? 'TCP'))
  return destination.ports.filter((p) => p.name === port && (protocol === undefined || p.protocol === protocol))
}

export function expectationCovers(expectation: Expectation, from: Candidate, to: Candidate, port: number, protocol: Protocol): boolean {
  return peerMatches(expectation.from, from) && peerMatches(expectation.to, to) &&
    portsCovered(expectation, to).some((p) => p.port === port && p.protocol === protocol)
}

/**
 * Every connection an expectation names among the candidates. Throws a plain message when a name
 * is unknown or nothing matches, so a typo never silently expects nothing.
 */
export function expandExpectation(expectation: Expectation, sources: Candidate[], destinations: Candidate[]): ConnectionKey[] {
  const from = matching(expectation.from, sources, 'source')
  const to = matching(expectation.to, destinations, 'destination')
  const connections = from.flatMap((f) => to.flatMap((t) => portsCovered(expectation, t).map((p) => ({ from: f.id, to: t.id, ...p }))))
  if (connections.length === 0) {
    throw new ExpectationSyntaxError(`no destination declares port ${expectation.port}${expectation.protocol ? `/${expectation.protocol}` : ''}`)
  }
  return connections
}

function matching(pattern: PeerPattern, candidates: Candidate[], role: string): Candidate[] {
  const found = candidates.filter((c) => peerMatches(pattern, c))
  if (found.length > 0) return found
  switch (pattern.kind) {
    case 'name': return unknown(`unknown pod ${JSON.stringify(pattern.name)} (known: ${[...new Set(candidates.map((c) => c.id))].join(', ') || 'none'})`)
    case 'namespace': return unknown(`unknown namespace ${JSON.stringify(pattern.namespace)} (known: ${[...new Set(candidates.map((c) => c.namespace))].join(', ') || 'none'})`)
    case 'selector': return unknown(`${pattern.namespace}/${pattern.selector.text} matches no ${role} pod`)
    case 'all': return unknown(`there is no ${role} pod`)
  }
}

function unknown(message: string): never {
  throw new ExpectationSyntaxError(message)
}

export function connectionKey(c: ConnectionKey): string {
  return `${c.from}>${c.to}:${c.port}/${c.protocol}`
}
