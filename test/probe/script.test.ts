import { describe, expect, it } from 'vitest'
import type { Observation } from '../../src/model/probe.js'
import { classify, parseScriptOutput, type CheckMode } from '../../src/probe/script.js'

describe('classifying what a check printed', () => {
  const cases: Array<[string, CheckMode, number, string, Observation]> = [
    ['a TCP connect that succeeds is connected', 'tcp', 0, '', 'connected'],
    ['a TCP connect killed by timeout(1) is a timeout', 'tcp', 124, '', 'timeout'],
    ['an RST or ICMP reject is refused, not allowed', 'tcp', 1, 'bash: connect: Connection refused bash: line 1: /dev/tcp/198.18.0.5/81: Connection refused', 'refused'],
    ['no route to host is unreachable', 'tcp', 1, 'bash: connect: No route to host', 'unreachable'],
    ['an address that never answered ARP is unresolved: no policy saw a packet', 'tcp', 1, 'no ARP answer from 198.18.0.5: the node did not resolve the address (is its neighbour table full?), so no policy was involved', 'unresolved'],
    ['a next hop whose neighbour entry is gone after the timeout is unresolved: the timeout is no evidence', 'tcp', 1, "no neighbour entry for 198.18.0.5 after the connect: the node's neighbour (ARP) table dropped it or could not hold it (is it full?), so the timeout is no evidence", 'unresolved'],
    ['a name that does not resolve is a DNS failure', 'tcp', 1, 'bash: web.shop.svc.cluster.local: Name or service not known', 'dns-failure'],
    ['a DNS answer (even NXDOMAIN) proves the path', 'dns', 0, '', 'connected'],
    ['dig with no servers reached is a timeout', 'dns', 9, ';; connection timed out; no servers could be reached', 'timeout'],
    ['a UDP echo that came back is connected', 'echo', 0, 'netpol-probe', 'connected'],
    ['UDP silence is a timeout, never connected', 'echo', 0, '', 'timeout'],
    ['a UDP ICMP port-unreachable is refused', 'echo', 1, 'socat[12] E read(5, 0x1, 8192): Connection refused', 'refused'],
    ['SCTP on a kernel without SCTP is an error, not blocked', 'sctp', 1, 'socat[7] E socket(2, 1, 132): Protocol not supported', 'error'],
    ['any other failure is an error', 'tcp', 2, 'something odd', 'error'],
  ]
  it.each(cases)('%s', (_rule, mode, code, output, expected) => {
    expect(classify(mode, code, output)).toBe(expected)
  })
})

describe('the checker output protocol', () => {
  it('reads back one line per check, ignoring noise and lines for checks it did not send', () => {
    const checks = [{ index: 0, mode: 'tcp' as const, host: '198.18.0.5', port: 80 }, { index: 1, mode: 'dns' as const, host: '198.19.0.10', port: 53 }]
    const outcomes = parseScriptOutput('garbage\nNETPOL 1 0 12 198.19.0.1\nNETPOL 0 124 2003 \nNETPOL 7 0 1 not ours\nNETPOL-DONE\n', checks)
    expect(outcomes.map((o) => [o.index, o.observation, o.elapsedMs])).toEqual([[1, 'connected', 12], [0, 'timeout', 2003]])
  })
})
