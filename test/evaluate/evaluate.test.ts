// Truth tables written from the NetworkPolicy API reference, on the upstream 3x3 model.
// Loopback (a pod to itself) is always allowed: the documented default for that CNI-defined case.
import { describe, expect, it } from 'vitest'
import type { NetworkPolicy, Protocol } from '../../src/model/cluster.js'
import {
  EXTERNAL_V4, EXTERNAL_V6, PODS, allowedPairs, nsOf, pairsExcept, podOf, policy, upstreamWorld,
} from './../support/world.js'

const ALL = [...PODS, EXTERNAL_V4, EXTERNAL_V6]
const loop = (from: string, to: string) => from === to
const isPod = (e: string) => e.includes('/')

interface Case {
  rule: string
  policies: NetworkPolicy[]
  port?: number | string
  protocol?: Protocol
  /** true when the connection must be denied. */
  denied: (from: string, to: string) => boolean
}

const cases: Case[] = [
  {
    rule: 'no policy selects a pod: it is not isolated and everything is allowed',
    policies: [],
    denied: () => false,
  },
  {
    rule: 'policyTypes omitted and no ingress field: Ingress is implied and the selected pods deny all ingress',
    policies: [policy('x', 'deny', {})],
    denied: (f, t) => nsOf(t) === 'x' && !loop(f, t),
  },
  {
    rule: 'ingress: [] read from a file isolates and allows nothing',
    policies: [policy('x', 'deny', { policyTypes: ['Ingress'], ingress: [] })],
    denied: (f, t) => nsOf(t) === 'x' && !loop(f, t),
  },
  {
    rule: 'ingress: [{}] allows every source on every port',
    policies: [policy('x', 'allow-all', { ingress: [{}] })],
    denied: () => false,
  },
  {
    rule: 'a rule with from: [] matches every source',
    policies: [policy('x', 'allow', { ingress: [{ from: [], ports: [{ port: 80 }] }] })],
    denied: () => false,
  },
  {
    rule: 'a rule without ports matches every port: port 81 allowed from the peer',
    policies: [policy('x', 'allow-b', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] })],
    port: 81,
    denied: (f, t) => t === 'x/a' && f !== 'x/b' && !loop(f, t),
  },
  {
    rule: 'policyTypes omitted with egress rules: Egress is implied too',
    policies: [policy('x', 'egress-to-y', { egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] })],
    // Ingress is implied as well and has no rules: x denies all ingress.
    denied: (f, t) => !loop(f, t) && ((nsOf(f) === 'x' && nsOf(t) !== 'y') || nsOf(t) === 'x'),
  },
  {
    rule: 'policyTypes omitted with egress: [] implies Ingress only, so egress stays open',
    policies: [policy('x', 'ingress-only', { ingress: [{}], egress: [] })],
    denied: () => false,
  },
  {
    rule: 'rules of a direction not in policyTypes are ignored: ingress rules under policyTypes [Egress] do nothing',
    policies: [policy('x', 'egress-only', { policyTypes: ['Egress'], ingress: [], egress: [{}] })],
    denied: () => false,
  },
  {
    rule: 'policyTypes [Egress] with no egress field denies all egress, including to external addresses',
    policies: [policy('x', 'deny-egress', { policyTypes: ['Egress'] })],
    denied: (f, t) => nsOf(f) === 'x' && !loop(f, t),
  },
  {
    rule: 'a podSelector peer selects pods in the policy namespace only',
    policies: [policy('x', 'from-b', { ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] })],
    denied: (f, t) => nsOf(t) === 'x' && f !== 'x/b' && !loop(f, t),
  },
  {
    rule: 'a namespaceSelector peer selects every pod of the matching namespaces',
    policies: [policy('x', 'from-y', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] })],
    denied: (f, t) => nsOf(t) === 'x' && nsOf(f) !== 'y' && !loop(f, t),
  },
  {
    rule: 'namespaceSelector and podSelector in one peer are ANDed',
    policies: [policy('x', 'from-y-b', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] }] })],
    denied: (f, t) => nsOf(t) === 'x' && f !== 'y/b' && !loop(f, t),
  },
  {
    rule: 'two peers in one rule are ORed',
    policies: [policy('x', 'from-y-or-b', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { pod: 'b' } } }] }] })],
    denied: (f, t) => nsOf(t) === 'x' && nsOf(f) !== 'y' && f !== 'x/b' && !loop(f, t),
  },
  {
    rule: 'namespaceSelector {} selects every namespace (but no external address)',
    policies: [policy('x', 'from-cluster', { ingress: [{ from: [{ namespaceSelector: {} }] }] })],
    denied: (f, t) => nsOf(t) === 'x' && !isPod(f),
  },
  {
    rule: 'podSelector {} as a peer selects every pod of the policy namespace',
    policies: [policy('x', 'from-x', { ingress: [{ from: [{ podSelector: {} }] }] })],
    denied: (f, t) => nsOf(t) === 'x' && nsOf(f) !== 'x',
  },
  {
    rule: 'matchExpressions In selects pods whose label value is listed',
    policies: [policy('x', 'in', { ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['a', 'c'] }] } }] }] })],
    denied: (f, t) => nsOf(t) === 'x' && !['a', 'c'].includes(podOf(f) ?? '') && !loop(f, t),
  },
  {
    rule: 'matchExpressions NotIn matches a pod that lacks the label key',
    policies: [policy('x', 'notin', {
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['blue'] }] } }] }],
    })],
    // No pod has a `team` label, so every pod matches; only external addresses are denied.
    denied: (f, t) => nsOf(t) === 'x' && !isPod(f),
  },
  {
    rule: 'matchExpressions NotIn excludes the listed values',
    policies: [policy('x', 'notin-b', { ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['b'] }] } }] }] })],
    denied: (f, t) => nsOf(t) === 'x' && (podOf(f) === 'b' || !isPod(f)) && !loop(f, t),
  },
  {
    rule: 'matchExpressions Exists and DoesNotExist test the key only',
    policies: [
      policy('x', 'exists', { ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'Exists' }] } }] }] }),
      policy('y', 'does-not-exist', { ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'DoesNotExist' }] } }] }] }),
    ],
    denied: (f, t) => !loop(f, t) && ((nsOf(t) === 'x' && !isPod(f)) || nsOf(t) === 'y'),
  },
  {
    rule: 'namespaceSelector matches namespace labels, not pod labels',
    policies: [policy('x', 'ns-label', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { pod: 'a' } } }] }] })],
    denied: (f, t) => nsOf(t) === 'x' && !loop(f, t),
  },
  {
    rule: 'the automatic kubernetes.io/metadata.name namespace label can be selected',
    policies: [policy('x', 'by-name', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'z' } } }] }] })],
    denied: (f, t) => nsOf(t) === 'x' && nsOf(f) !== 'z' && !loop(f, t),
  },
  {
    rule: 'policies are additive: the union of two policies selecting a pod is allowed',
    policies: [
      policy('x', 'from-y', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] }),
      policy('x', 'from-z', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] }] }),
    ],
    denied: (f, t) => nsOf(t) === 'x' && !['y', 'z'].includes(nsOf(f)) && !loop(f, t),
  },
  {
    rule: 'both sides must allow: open ingress cannot undo denied egress',
    policies: [
      policy('x', 'deny-egress', { policyTypes: ['Egress'] }),
      policy('y', 'allow-all-ingress', { ingress: [{}] }),
    ],
    denied: (f, t) => nsOf(f) === 'x' && !loop(f, t),
  },
  {
    rule: 'both sides must allow: egress allowed to y but y/a admits only z',
    policies: [
      policy('x', 'egress-to-y', { policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] }),
      policy('y', 'a-from-z', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] }] }),
    ],
    denied: (f, t) => !loop(f, t) && ((nsOf(f) === 'x' && nsOf(t) !== 'y') || (t === 'y/a' && nsOf(f) !== 'z')),
  },
  {
    rule: 'ipBlock with except admits the block minus the exception (IPv4)',
    policies: [policy('x', 'cidr', { ingress: [{ from: [{ ipBlock: { cidr: '198.19.250.0/24', except: ['198.19.250.0/30'] } }] }] })],
    denied: (f, t) => nsOf(t) === 'x' && f !== EXTERNAL_V4 && !loop(f, t),
  },
  {
    rule: 'ipBlock except carves the address out',
    policies: [policy('x', 'cidr', { ingress: [{ from: [{ ipBlock: { cidr: '198.19.250.0/24', except: ['198.19.250.4/30'] } }] }] })],
    denied: (f, t) => nsOf(t) === 'x' && !loop(f, t),
  },
  {
    rule: 'ipBlock works for IPv6 and does not match the other family',
    policies: [policy('x', 'cidr6', { ingress: [{ from: [{ ipBlock: { cidr: 'fd00:250::/64' } }] }] })],
    denied: (f, t) => nsOf(t) === 'x' && f !== EXTERNAL_V6 && !loop(f, t),
  },
  {
    rule: 'a CIDR written with host bits set is read as its network (198.19.250.99/16 covers 198.19.0.0/16)',
    policies: [policy('x', 'hostbits', { ingress: [{ from: [{ ipBlock: { cidr: '198.19.250.99/16' } }] }] })],
    denied: (f, t) => nsOf(t) === 'x' && f !== EXTERNAL_V4 && !loop(f, t),
  },
  {
    rule: 'ipBlock matches pod IPs (CNI-defined, default on)',
    policies: [policy('x', 'pod-cidr', { ingress: [{ from: [{ ipBlock: { cidr: '198.18.2.0/24' } }] }] })],
    denied: (f, t) => nsOf(t) === 'x' && nsOf(f) !== 'y' && !loop(f, t),
  },
  {
    rule: 'egress ipBlock 0.0.0.0/0 with except of the pod range leaves only outside IPv4 addresses',
    policies: [policy('x', 'internet', { policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['198.18.0.0/16'] } }] }] })],
    denied: (f, t) => nsOf(f) === 'x' && t !== EXTERNAL_V4 && !loop(f, t),
  },
  {
    rule: 'a numeric port admits that port only (81 denied)',
    policies: [policy('x', 'port-80', { ingress: [{ ports: [{ port: 80 }] }] })],
    port: 81,
    denied: (f, t) => nsOf(t) === 'x' && !loop(f, t),
  },
  {
    rule: 'protocol defaults to TCP: a bare port 80 entry does not admit UDP 80',
    policies: [policy('x', 'port-80', { ingress: [{ ports: [{ port: 80 }] }] })],
    protocol: 'UDP',
    denied: (f, t) => nsOf(t) === 'x' && !loop(f, t),
  },
  {
    rule: 'a port entry with only a protocol admits every port of that protocol',
    policies: [policy('x', 'udp', { ingress: [{ ports: [{ protocol: 'UDP' }] }] })],
    port: 81,
    protocol: 'UDP',
    denied: () => false,
  },
  {
    rule: 'a port entry with only a protocol does not admit other protocols',
    policies: [policy('x', 'udp', { ingress: [{ ports: [{ protocol: 'UDP' }] }] })],
    port: 81,
    denied: (f, t) => nsOf(t) === 'x' && !loop(f, t),
  },
  {
    rule: 'SCTP is matched like any protocol',
    policies: [policy('x', 'sctp', { ingress: [{ ports: [{ protocol: 'SCTP', port: 81 }] }] })],
    port: 81,
    protocol: 'SCTP',
    denied: () => false,
  },
  {
    rule: 'endPort makes an inclusive range (80-81 admits 81)',
    policies: [policy('x', 'range', { ingress: [{ ports: [{ port: 79, endPort: 81 }] }] })],
    port: 81,
    denied: () => false,
  },
  {
    rule: 'endPort range excludes ports past its end',
    policies: [policy('x', 'range', { ingress: [{ ports: [{ port: 70, endPort: 80 }] }] })],
    port: 81,
    denied: (f, t) => nsOf(t) === 'x' && !loop(f, t),
  },
  {
    rule: 'an ingress named port resolves on the destination pod (serve-80-tcp admits 80)',
    policies: [policy('x', 'named', { ingress: [{ ports: [{ port: 'serve-80-tcp' }] }] })],
    port: 80,
    denied: () => false,
  },
  {
    rule: 'an ingress named port does not admit other numbers (serve-80-tcp denies 81)',
    policies: [policy('x', 'named', { ingress: [{ ports: [{ port: 'serve-80-tcp' }] }] })],
    port: 81,
    denied: (f, t) => nsOf(t) === 'x' && !loop(f, t),
  },
  {
    rule: 'a named port needs its protocol: serve-80-udp with protocol UDP admits UDP 80',
    policies: [policy('x', 'named-udp', { ingress: [{ ports: [{ port: 'serve-80-udp', protocol: 'UDP' }] }] })],
    port: 80,
    protocol: 'UDP',
    denied: () => false,
  },
  {
    rule: 'a named port the destination does not declare matches nothing',
    policies: [policy('x', 'named-missing', { ingress: [{ ports: [{ port: 'http' }] }] })],
    port: 80,
    denied: (f, t) => nsOf(t) === 'x' && !loop(f, t),
  },
  {
    rule: 'an egress named port resolves on the destination pod, so external addresses do not match it',
    policies: [policy('x', 'egress-named', { policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] })],
    port: 80,
    denied: (f, t) => nsOf(f) === 'x' && !isPod(t) && !loop(f, t),
  },
  {
    rule: 'a query by port name resolves per destination (serve-81-tcp is 81, denied by a port-80 policy)',
    policies: [policy('x', 'port-80', { ingress: [{ ports: [{ port: 80 }] }] })],
    port: 'serve-81-tcp',
    denied: (f, t) => nsOf(t) === 'x' && !loop(f, t),
  },
]

describe('NetworkPolicy evaluation (API reference rules on the 3x3 model)', () => {
  it.each(cases)('$rule', ({ policies, port = 80, protocol = 'TCP', denied }) => {
    const world = upstreamWorld(policies, [EXTERNAL_V4, EXTERNAL_V6])
    expect(sorted(allowedPairs(world, port, protocol))).toEqual(sorted(pairsExcept(ALL, denied)))
  })
})

function sorted(set: Set<string>): string[] {
  return [...set].sort()
}
