// What the user asked, as predict, explain and probe share it: the flag parsers and the request
// resolved against a snapshot. Pure.
import { describe, expect, it } from 'vitest'
import { resolveRequest } from '../../src/evaluate/request.js'
import { askedPorts, destinationPorts, parseEndpointPattern, parseExternalTarget, portPlan, requirePorts, uncheckedNote } from '../../src/evaluate/scope.js'
import type { PortQuery } from '../../src/evaluate/matrix.js'
import type { Pod } from '../../src/model/cluster.js'
import { upstreamPod, upstreamWorld } from '../support/world.js'

describe('the request', () => {
  const world = upstreamWorld()
  const everything = { externals: [], includes: () => true }

  it('--from/--to narrow sources and destinations; an IP that is no pod becomes an external endpoint', () => {
    const request = { from: [parseEndpointPattern('y/*', '--from')], to: [parseEndpointPattern('198.19.250.7', '--to')], ports: [80] }
    const { sources, destinations } = resolveRequest(world, request, everything)
    expect(sources.map((e) => e.key)).toEqual(['y/a', 'y/b', 'y/c'])
    expect(destinations.map((e) => e.key)).toEqual(['198.19.250.7'])
  })

  it('-l keeps the pods the selector matches, and externals stay in scope', () => {
    const { inScope } = resolveRequest(world, { from: [], to: [], ports: [] }, { externals: ['198.19.250.7'], labelSelector: 'pod=a', includes: () => true })
    expect(inScope.map((e) => e.key)).toEqual(['x/a', 'y/a', 'z/a', '198.19.250.7'])
  })

  it('a pattern that matches nothing in scope is bad input naming the flag', () => {
    expect(() => resolveRequest(world, { from: [parseEndpointPattern('w/*', '--from')], to: [], ports: [] }, everything)).toThrow(/--from: w\/\* matches no pod, workload or address in scope/)
  })

  it('without --port, the declared ports (of --protocol when given) are the queries', () => {
    const { destinations } = resolveRequest(world, { from: [], to: [], ports: [] }, everything)
    expect(portPlan([], 'UDP', destinations).queries).toEqual([{ port: 80, protocol: 'UDP' }, { port: 81, protocol: 'UDP' }])
    expect(portPlan([443], undefined, destinations).queries).toEqual([{ port: 443, protocol: 'TCP' }])
  })
})

describe('default ports: each destination checked on the ports it declares, per protocol', () => {
  const pod = (name: string, ports: Pod['ports']): Pod => ({ ...upstreamPod('x', name), ports })
  const snapshot = {
    ...upstreamWorld(),
    pods: [
      pod('web', [{ name: 'http', containerPort: 80, protocol: 'TCP' }]),
      pod('dns', [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }]),
      pod('bare', []),
    ],
  }
  const { destinations, ports } = resolveRequest(snapshot, { from: [], to: [], ports: [] }, { externals: ['198.19.250.7'], includes: () => true })
  const byKey = (key: string) => destinations.find((d) => d.key === key)!
  const label = (qs: PortQuery[]) => qs.map((q) => `${q.protocol}/${q.port}`)

  it('a destination is checked on its own declared ports, not on another destination\'s', () => {
    expect(label(destinationPorts([], undefined, byKey('x/web')))).toEqual(['TCP/80'])
    expect(label(destinationPorts([], undefined, byKey('x/dns')))).toEqual(['UDP/53', 'TCP/53'])
    expect(ports.checks({ port: 80, protocol: 'TCP' }, byKey('x/dns'))).toBe(false)
    expect(ports.checks({ port: 53, protocol: 'UDP' }, byKey('x/dns'))).toBe(true)
  })

  it('--protocol keeps only the declared ports of that protocol', () => {
    expect(label(destinationPorts([], 'UDP', byKey('x/dns')))).toEqual(['UDP/53'])
    expect(label(destinationPorts([], 'UDP', byKey('x/web')))).toEqual([])
    expect(label(portPlan([], 'UDP', destinations).queries)).toEqual(['UDP/53'])
  })

  it('the queries are the union of the destinations\' ports, by number then protocol', () => {
    expect(label(ports.queries)).toEqual(['TCP/53', 'UDP/53', 'TCP/80'])
  })

  it('a destination that declares no port (a pod without containerPorts, an external address) is checked on none, and named', () => {
    expect(destinationPorts([], undefined, byKey('x/bare'))).toEqual([])
    expect(ports.queries.some((q) => ports.checks(q, byKey('198.19.250.7')))).toBe(false)
    expect(ports.unchecked.map((d) => d.key)).toEqual(['x/bare', '198.19.250.7'])
    expect(uncheckedNote(ports, undefined)).toEqual(['2 destinations declare no port and are not checked (pass --port to check them): x/bare, 198.19.250.7'])
  })

  it('with --port, every destination is checked on the asked ports, declared or not', () => {
    const asked = portPlan([8080], undefined, destinations)
    expect(destinations.every((d) => asked.checks({ port: 8080, protocol: 'TCP' }, d))).toBe(true)
    expect(label(destinationPorts(askedPorts([8080], 'UDP'), 'UDP', byKey('x/bare')))).toEqual(['UDP/8080'])
    expect(asked.unchecked).toEqual([])
  })

  it('an asked port name is checked only on the destinations that declare it (elsewhere it has no number)', () => {
    const named = portPlan(['dns'], 'UDP', destinations)
    expect(destinations.filter((d) => named.checks({ port: 'dns', protocol: 'UDP' }, d)).map((d) => d.key)).toEqual(['x/dns'])
    expect(destinationPorts(askedPorts(['dns'], 'UDP'), 'UDP', byKey('x/web'))).toEqual([])
    expect(uncheckedNote(named, 'UDP')).toEqual(['3 destinations declare no port named dns and are not checked (a port number is checked on every destination): x/web, x/bare, 198.19.250.7'])
  })

  it('no port to check anywhere is bad input naming --port, not a silent TCP/80', () => {
    const bare = resolveRequest(snapshot, { from: [], to: [parseEndpointPattern('x/bare', '--to')], ports: [] }, { externals: [], includes: () => true })
    expect(() => requirePorts(bare.ports, undefined)).toThrow(/^--port: nothing to check: no destination in scope declares a port/)
  })
})

describe('probe --external IP:PORT[/PROTOCOL]', () => {
  it.each([
    ['198.19.250.7:443', { ip: '198.19.250.7', port: 443 }],
    ['198.19.250.7:53/udp', { ip: '198.19.250.7', port: 53, protocol: 'UDP' }],
    ['[fd00::7]:80', { ip: 'fd00::7', port: 80 }],
  ])('%s', (text, expected) => {
    expect(parseExternalTarget(text)).toEqual(expected)
  })

  it.each(['198.19.250.7', 'example.com:80', '198.19.250.7:0', '198.19.250.7:80/icmp'])('refuses %s, naming --external', (text) => {
    expect(() => parseExternalTarget(text)).toThrow(/^--external: /)
  })
})
