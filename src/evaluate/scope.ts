// What the user asked about: endpoint patterns (--from/--to), kubectl label selectors (-l) and
// port queries (--port/--protocol), parsed into plain matchers. Pure: errors name the flag.
import type { LabelSelector, LabelSelectorRequirement, Pod, Protocol } from '../model/cluster.js'
import { InputError } from '../model/errors.js'
import { parseAddress, parseCidr } from '../model/ip.js'
import { isPortName, isPortNumber, protocolNamed } from '../model/ports.js'
import type { Endpoint } from './endpoint.js'
import type { PortQuery } from './matrix.js'

export type EndpointPattern =
  | { kind: 'pod'; namespace: string; name: string | '*'; text: string }
  | { kind: 'ip'; ip: string; text: string }

/** `ns/pod`, `ns/workload`, `kind/workload`, `ns/*`, or an IP address (resolved by `endpoint-match.ts`). */
export function parseEndpointPattern(text: string, flag: string): EndpointPattern {
  if (parseAddress(text)) return { kind: 'ip', ip: text, text }
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?|\*)$/.exec(text)
  if (!match) throw new InputError(`invalid endpoint ${JSON.stringify(text)}: expected NAMESPACE/NAME (a pod or workload), KIND/NAME, NAMESPACE/* or an IP address`, { field: flag })
  return { kind: 'pod', namespace: match[1], name: match[3], text }
}

/** IP patterns that are not pod IPs become external endpoints. */
export function externalAddresses(patterns: EndpointPattern[], pods: Pod[]): string[] {
  const podIps = new Set(pods.flatMap((p) => p.ips))
  return patterns.flatMap((p) => (p.kind === 'ip' && !podIps.has(p.ip) ? [p.ip] : []))
}

/** kubectl's label selector syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`. */
export function parseLabelSelector(text: string, flag = '--selector'): LabelSelector {
  const requirements: LabelSelectorRequirement[] = []
  const matchLabels: Record<string, string> = {}
  for (const part of splitTopLevel(text)) {
    const item = part.trim()
    let m: RegExpExecArray | null
    if ((m = /^([\w./-]+)\s*(==|=)\s*([\w.-]*)$/.exec(item))) matchLabels[m[1]] = m[3]
    else if ((m = /^([\w./-]+)\s*!=\s*([\w.-]*)$/.exec(item))) requirements.push({ key: m[1], operator: 'NotIn', values: [m[2]] })
    else if ((m = /^([\w./-]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(item))) {
      requirements.push({ key: m[1], operator: m[2] === 'in' ? 'In' : 'NotIn', values: m[3].split(',').map((v) => v.trim()).filter(Boolean) })
    } else if ((m = /^!([\w./-]+)$/.exec(item))) requirements.push({ key: m[1], operator: 'DoesNotExist' })
    else if ((m = /^([\w./-]+)$/.exec(item))) requirements.push({ key: m[1], operator: 'Exists' })
    else throw new InputError(`cannot parse label selector ${JSON.stringify(text)} at ${JSON.stringify(item)}`, { field: flag })
  }
  return { matchLabels, matchExpressions: requirements }
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const ch of text) {
    if (ch === '(') depth++
    if (ch === ')') depth--
    if (ch === ',' && depth === 0) {
      parts.push(current)
      current = ''
    } else current += ch
  }
  if (current.trim()) parts.push(current)
  return parts
}

export function parseProtocol(text: string, flag = '--protocol'): Protocol {
  const protocol = protocolNamed(text)
  if (!protocol) throw new InputError(`invalid protocol ${JSON.stringify(text)}: expected TCP, UDP or SCTP`, { field: flag })
  return protocol
}

/** A port number 1-65535 or a port name (IANA service name syntax). */
export function parsePort(text: string, flag = '--port'): number | string {
  if (/^\d+$/.test(text)) {
    const port = Number(text)
    if (!isPortNumber(port)) throw new InputError(`invalid port ${text}: must be between 1 and 65535`, { field: flag })
    return port
  }
  if (!isPortName(text)) {
    throw new InputError(`invalid port ${JSON.stringify(text)}: expected a number or a port name (lowercase letters, digits and '-', at most 15)`, { field: flag })
  }
  return text
}

/** A destination outside the cluster: `IP:PORT` or `[IPv6]:PORT`, optionally followed by `/TCP|UDP|SCTP`. */
export interface ExternalTarget {
  ip: string
  port: number
  /** Absent: the request's protocol (TCP by default). */
  protocol?: Protocol
}

export function parseExternalTarget(text: string, flag = '--external'): ExternalTarget {
  const match = /^(?:\[([^\]]+)\]|([^:/]+)):(\d+)(?:\/(\w+))?$/.exec(text)
  const ip = match?.[1] ?? match?.[2]
  if (!match || !ip || !parseAddress(ip)) throw new InputError(`invalid external ${JSON.stringify(text)}: expected IP:PORT, [IPv6]:PORT, optionally /PROTOCOL${cidrHint(text)}`, { field: flag })
  const port = Number(parsePort(match[3], flag))
  return match[4] ? { ip, port, protocol: parseProtocol(match[4], flag) } : { ip, port }
}

/** An address outside the cluster (predict's and explain's --external). */
export function parseExternalAddress(text: string, flag = '--external'): string {
  if (!parseAddress(text)) throw new InputError(`invalid address ${JSON.stringify(text)}: expected an IPv4 or IPv6 address${cidrHint(text)}`, { field: flag })
  return text
}

/** A CIDR where an address is expected: say so, and suggest one address in it. */
function cidrHint(text: string): string {
  const cidr = parseCidr(text)
  return cidr ? ` (${text} is a network; an external is one address, e.g. ${text.slice(0, text.indexOf('/'))})` : ''
}

/**
 * The one rule for ports, shared by predict, explain, diff and probe: with --port, every destination
 * on the asked ports (with --protocol, TCP by default), a port name only on the destinations that
 * declare it (elsewhere it has no number: there is nothing to connect to); without --port, each
 * destination on the ports it declares (only those of --protocol when given), each once. A
 * destination that declares no port (an external address, a pod without containerPorts) is
 * checked on none: --port is how to ask.
 */
export function destinationPorts(asked: PortQuery[], protocol: Protocol | undefined, destination: Endpoint): PortQuery[] {
  if (asked.length > 0) return asked.filter((q) => hasPort(destination, q.port))
  const declared = new Map(declaredPorts(destination, protocol).map((p) => [`${p.port}/${p.protocol}`, p]))
  return [...declared.values()]
}

/** A number is a port of every destination; a name only of the pods that declare it. */
function hasPort(destination: Endpoint, port: number | string): boolean {
  return typeof port === 'number' || (destination.kind === 'pod' && destination.pod.ports.some((p) => p.name === port))
}

/** Every destination's ports at once: the queries some destination is checked on, and which are checked on each. */
export interface PortPlan {
  /** The union of the destinations' ports, by number then protocol (the asked ports in their order). */
  queries: PortQuery[]
  /** Whether a destination is checked on a query (same answer as `destinationPorts`, without building a list). */
  checks(query: PortQuery, destination: Endpoint): boolean
  /** The destinations checked on no port. */
  unchecked: Endpoint[]
  /** The ports were asked (--port), not taken from what the destinations declare. */
  asked: boolean
}

export function portPlan(ports: Array<number | string>, protocol: Protocol | undefined, destinations: Endpoint[]): PortPlan {
  const asked = askedPorts(ports, protocol)
  if (asked.length > 0) {
    const unchecked = destinations.filter((d) => destinationPorts(asked, protocol, d).length === 0)
    return { queries: asked, checks: (query, destination) => hasPort(destination, query.port), unchecked, asked: true }
  }
  const union = new Map<string, PortQuery>()
  const unchecked: Endpoint[] = []
  for (const d of destinations) {
    const own = destinationPorts(asked, protocol, d)
    if (own.length === 0) unchecked.push(d)
    for (const p of own) union.set(`${p.port}/${p.protocol}`, p)
  }
  return {
    queries: [...union.values()].sort((a, b) => Number(a.port) - Number(b.port) || a.protocol.localeCompare(b.protocol)),
    checks: (query, destination) => destination.kind === 'pod' &&
      destination.pod.ports.some((p) => p.containerPort === query.port && p.protocol === query.protocol),
    unchecked,
    asked: false,
  }
}

/** What predict, explain and diff say when no destination in scope has a port to check. */
export function requirePorts(plan: PortPlan, protocol: Protocol | undefined): void {
  if (plan.queries.length > 0) return
  const of = protocol ? ` ${protocol}` : ''
  throw new InputError(`nothing to check: no destination in scope declares a${of} port (pass --port, or check --from/--to/--protocol)`, { field: '--port' })
}

/** A note naming the destinations that have none of the ports to check, and so are not checked. */
export function uncheckedNote(plan: PortPlan, protocol: Protocol | undefined): string[] {
  const { unchecked } = plan
  if (unchecked.length === 0 || plan.queries.length === 0) return []
  const names = unchecked.slice(0, 5).map((d) => d.key).join(', ') + (unchecked.length > 5 ? `, … (${unchecked.length - 5} more)` : '')
  const one = unchecked.length === 1
  // Asked ports leave a destination out only when every one is a name it does not declare.
  const missing = plan.asked ? `no port named ${plan.queries.map((q) => q.port).join(' or ')}` : `no${protocol ? ` ${protocol}` : ''} port`
  const how = plan.asked ? 'a port number is checked on every destination' : `pass --port to check ${one ? 'it' : 'them'}`
  return [`${unchecked.length} ${one ? 'destination declares' : 'destinations declare'} ${missing} and ${one ? 'is' : 'are'} not checked (${how}): ${names}`]
}

/** The asked ports, each once, with the asked protocol (TCP by default). */
export function askedPorts(ports: Array<number | string>, protocol: Protocol | undefined): PortQuery[] {
  return [...new Set(ports)].map((port) => ({ port, protocol: protocol ?? 'TCP' }))
}

/**
 * A port name must be declared by a destination in scope: otherwise it matches nothing, and is
 * most likely a typo (`8o` is a valid IANA service name). The error suggests the number it looks like.
 */
export function checkPortNames(ports: Array<number | string>, destinations: Endpoint[], flag = '--port'): void {
  for (const port of ports) {
    if (typeof port !== 'string') continue
    if (destinations.some((d) => hasPort(d, port))) continue
    const asNumber = port.replace(/[oO]/g, '0').replace(/[lI]/g, '1')
    const hint = /^\d+$/.test(asNumber) && isPortNumber(Number(asNumber)) ? ` (did you mean ${Number(asNumber)}?)` : ''
    const declared = [...new Set(destinations.flatMap((d) => (d.kind === 'pod' ? d.pod.ports.flatMap((p) => (p.name ? [p.name] : [])) : [])))].sort()
    const known = declared.length > 0 ? `; declared names: ${declared.slice(0, 8).join(', ')}${declared.length > 8 ? ', …' : ''}` : ''
    throw new InputError(`no destination in scope declares a port named ${JSON.stringify(port)}${hint}${known}`, { field: flag })
  }
}

/** The ports a destination declares, only those of `protocol` when one is asked. */
export function declaredPorts(destination: Endpoint, protocol: Protocol | undefined): PortQuery[] {
  if (destination.kind !== 'pod') return []
  return destination.pod.ports.filter((p) => !protocol || p.protocol === protocol).map((p) => ({ port: p.containerPort, protocol: p.protocol }))
}
