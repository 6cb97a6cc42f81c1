// What the user asked, as predict, explain and probe share it: the flag parsers and the request
// resolved against a snapshot. Pure.
import { describe, expect, it } from 'vitest'
import { resolveRequest } from '../../src/evaluate/request.js'
import { parseEndpointPattern, parseExternalTarget, portQueries } from '../../src/evaluate/scope.js'
import { upstreamWorld } from '../support/world.js'

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
    expect(portQueries([], 'UDP', destinations)).toEqual([{ port: 80, protocol: 'UDP' }, { port: 81, protocol: 'UDP' }])
    expect(portQueries([443], undefined, destinations)).toEqual([{ port: 443, protocol: 'TCP' }])
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
