// What the user asked about: endpoint patterns (--from/--to), kubectl label selectors (-l) and
// port queries (--port/--protocol), parsed into plain matchers. Pure: errors name the flag.
import type { LabelSelector, LabelSelectorRequirement, Pod, Protocol } from '../model/cluster.js'
import { InputError } from '../model/errors.js'
import { parseAddress } from '../model/ip.js'
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
  if (!match || !ip || !parseAddress(ip)) throw new InputError(`invalid external ${JSON.stringify(text)}: expected IP:PORT, [IPv6]:PORT, optionally /PROTOCOL`, { field: flag })
  const port = Number(parsePort(match[3], flag))
  return match[4] ? { ip, port, protocol: parseProtocol(match[4], flag) } : { ip, port }
}

/** An address outside the cluster (predict's and explain's --external). */
export function parseExternalAddress(text: string, flag = '--external'): string {
  if (!parseAddress(text)) throw new InputError(`invalid address ${JSON.stringify(text)}: expected an IPv4 or IPv6 address`, { field: flag })
  return text
}

/**
 * The queries to evaluate: every --port with the --protocol (TCP by default), or when no port is
 * given, every port the destinations declare (80/TCP when none declares any).
 */
export function portQueries(ports: Array<number | string>, protocol: Protocol | undefined, destinations: Endpoint[]): PortQuery[] {
  if (ports.length > 0) return askedPorts(ports, protocol)
  const declared = new Map<string, PortQuery>()
  for (const d of destinations) {
    for (const p of declaredPorts(d, protocol)) declared.set(`${p.port}/${p.protocol}`, p)
  }
  const queries = [...declared.values()].sort((a, b) => Number(a.port) - Number(b.port) || a.protocol.localeCompare(b.protocol))
  return queries.length > 0 ? queries : [{ port: 80, protocol: protocol ?? 'TCP' }]
}

/** The asked ports, each with the asked protocol (TCP by default). */
export function askedPorts(ports: Array<number | string>, protocol: Protocol | undefined): PortQuery[] {
  return ports.map((port) => ({ port, protocol: protocol ?? 'TCP' }))
}

/** The ports a destination declares, only those of `protocol` when one is asked. */
export function declaredPorts(destination: Endpoint, protocol: Protocol | undefined): PortQuery[] {
  if (destination.kind !== 'pod') return []
  return destination.pod.ports.filter((p) => !protocol || p.protocol === protocol).map((p) => ({ port: p.containerPort, protocol: p.protocol }))
}
