// Truth tables for the AdminNetworkPolicy → NetworkPolicy → BaselineAdminNetworkPolicy chain, on the
// upstream 3x3 model. The rules are those of the API types and conformance tests of
// sigs.k8s.io/network-policy-api (the version kube-network-policies v0.8.0 requires,
// v0.1.6-0.20250401132235-45061d10895e); each case names the conformance test it mirrors, if any.
import { describe, expect, it } from 'vitest'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import { decidingTierRule, tierRuleLabel } from '../../src/evaluate/explain.js'
import type { AdminRule, AdminSubject, ClusterPolicy, ClusterSnapshot, NetworkPolicy, Protocol } from '../../src/model/cluster.js'
import {
  EXTERNAL_V4, PODS, allowedPairs, nsOf, pairsExcept, policy, upstreamWorld,
} from './../support/world.js'

const ALL = [...PODS, EXTERNAL_V4]
const loop = (from: string, to: string) => from === to
const ns = (name: string) => ({ matchLabels: { ns: name } })
const inNs = (name: string): AdminSubject => ({ namespaces: ns(name) })

function anp(name: string, priority: number, subject: AdminSubject, rules: { ingress?: AdminRule[]; egress?: AdminRule[] }): ClusterPolicy {
  return { tier: 'admin', name, priority, subject, ingress: rules.ingress ?? [], egress: rules.egress ?? [] }
}

function banp(subject: AdminSubject, rules: { ingress?: AdminRule[]; egress?: AdminRule[] }): ClusterPolicy {
  return { tier: 'baseline', name: 'default', subject, ingress: rules.ingress ?? [], egress: rules.egress ?? [] }
}

const fromNs = (action: AdminRule['action'], name: string, extra: Partial<AdminRule> = {}): AdminRule =>
  ({ action, peers: [{ namespaces: ns(name) }], ...extra })

function world(clusterPolicies: ClusterPolicy[], policies: NetworkPolicy[] = []): ClusterSnapshot {
  return { ...upstreamWorld(policies, [EXTERNAL_V4]), clusterPolicies }
}

interface Case {
  rule: string
  clusterPolicies: ClusterPolicy[]
  policies?: NetworkPolicy[]
  port?: number | string
  protocol?: Protocol
  denied: (from: string, to: string) => boolean
}

const allowYtoX = policy('x', 'allow-from-y', { ingress: [{ from: [{ namespaceSelector: ns('y') }] }] })

const cases: Case[] = [
  {
    rule: 'AdminNetworkPolicyIngressTCP: an ingress Deny rule denies what it matches, whatever NetworkPolicy allows',
    clusterPolicies: [anp('deny-y', 10, inNs('x'), { ingress: [fromNs('Deny', 'y')] })],
    policies: [policy('x', 'allow-from-y-z', { ingress: [{ from: [{ namespaceSelector: ns('y') }, { namespaceSelector: ns('z') }] }] })],
    // The NetworkPolicy admits y and z into x; the ANP takes y away.
    denied: (f, t) => nsOf(t) === 'x' && nsOf(f) !== 'z',
  },
  {
    rule: 'an ANP Allow rule allows even where a NetworkPolicy isolates the pod and no rule matches',
    clusterPolicies: [anp('allow-z', 10, inNs('x'), { ingress: [fromNs('Allow', 'z')] })],
    policies: [policy('x', 'deny-all', {})],
    denied: (f, t) => nsOf(t) === 'x' && nsOf(f) !== 'z' && !loop(f, t),
  },
  {
    rule: 'AdminNetworkPolicyIntegration (pass-ingress, NetworkPolicy matches): Pass hands the decision to NetworkPolicy, which allows',
    clusterPolicies: [anp('pass-example', 10, inNs('x'), { ingress: [fromNs('Pass', 'y')] }), banp(inNs('x'), { ingress: [fromNs('Deny', 'y')] })],
    policies: [allowYtoX],
    // NetworkPolicy isolates x: only y (allowed) gets in; the BANP is never reached.
    denied: (f, t) => nsOf(t) === 'x' && nsOf(f) !== 'y' && !loop(f, t),
  },
  {
    rule: 'AdminNetworkPolicyIntegration (pass-ingress, no NetworkPolicy): Pass goes on to the BaselineAdminNetworkPolicy, which denies',
    clusterPolicies: [anp('pass-example', 10, inNs('x'), { ingress: [fromNs('Pass', 'y')] }), banp(inNs('x'), { ingress: [fromNs('Deny', 'y')] })],
    denied: (f, t) => nsOf(t) === 'x' && nsOf(f) === 'y',
  },
  {
    rule: 'AdminNetworkPolicyIntegration (pass-egress, no NetworkPolicy): an egress Pass goes on to the BANP egress Deny',
    clusterPolicies: [
      anp('pass-example', 10, inNs('x'), { egress: [fromNs('Pass', 'y')] }),
      banp(inNs('x'), { egress: [fromNs('Deny', 'y')] }),
    ],
    denied: (f, t) => nsOf(f) === 'x' && nsOf(t) === 'y',
  },
  {
    rule: 'AdminNetworkPolicyPriorityField: the lower priority value is checked first (Pass at 40 beats Deny at 50; the BANP allows)',
    clusterPolicies: [
      anp('priority-50', 50, inNs('x'), { ingress: [fromNs('Deny', 'y')] }),
      anp('priority-40', 40, inNs('x'), { ingress: [fromNs('Pass', 'y')] }),
      banp(inNs('x'), { ingress: [fromNs('Allow', 'y')] }),
    ],
    denied: () => false,
  },
  {
    rule: 'AdminNetworkPolicyPriorityField: with the Deny first in priority, it decides',
    clusterPolicies: [
      anp('priority-50', 50, inNs('x'), { ingress: [fromNs('Deny', 'y')] }),
      anp('priority-60', 60, inNs('x'), { ingress: [fromNs('Pass', 'y')] }),
      banp(inNs('x'), { ingress: [fromNs('Allow', 'y')] }),
    ],
    denied: (f, t) => nsOf(t) === 'x' && nsOf(f) === 'y',
  },
  {
    rule: 'rules within a policy are checked in the order written: the first match decides',
    clusterPolicies: [anp('ordered', 10, inNs('x'), { ingress: [fromNs('Allow', 'y'), { action: 'Deny', peers: [{ namespaces: {} }] }] })],
    // Everyone but y (and x's own pods reaching themselves) is denied into x; external sources match no pod peer.
    denied: (f, t) => nsOf(t) === 'x' && f !== EXTERNAL_V4 && nsOf(f) !== 'y' && !loop(f, t),
  },
  {
    rule: 'BaselineAdminNetworkPolicyIngressTCP: the BANP applies only where no NetworkPolicy isolates the pod',
    clusterPolicies: [banp({ namespaces: {} }, { ingress: [{ action: 'Deny', peers: [{ namespaces: {} }] }] })],
    policies: [allowYtoX],
    // x is isolated by the NetworkPolicy (y allowed); every other pod-to-pod pair is denied by the BANP.
    denied: (f, t) => (nsOf(t) === 'x' ? nsOf(f) !== 'y' : t !== EXTERNAL_V4 && f !== EXTERNAL_V4),
  },
  {
    rule: 'a subject `pods` selects by namespace AND pod labels',
    clusterPolicies: [anp('a-only', 10, { pods: { namespaceSelector: ns('x'), podSelector: { matchLabels: { pod: 'a' } } } }, { ingress: [{ action: 'Deny', peers: [{ namespaces: {} }] }] })],
    denied: (f, t) => t === 'x/a' && f !== EXTERNAL_V4 && !loop(f, t),
  },
  {
    rule: 'ports: portNumber matches that port and protocol only (81 is not denied)',
    clusterPolicies: [anp('deny-80', 10, inNs('x'), { ingress: [fromNs('Deny', 'y', { ports: [{ portNumber: { protocol: 'TCP', port: 80 } }] })] })],
    port: 81,
    denied: () => false,
  },
  {
    rule: 'ports: portRange is inclusive (80–81 covers 81)',
    clusterPolicies: [anp('deny-range', 10, inNs('x'), { ingress: [fromNs('Deny', 'y', { ports: [{ portRange: { protocol: 'TCP', start: 80, end: 81 } }] })] })],
    port: 81,
    denied: (f, t) => nsOf(t) === 'x' && nsOf(f) === 'y',
  },
  {
    rule: 'AdminNetworkPolicyIngressNamedPort: namedPort is the destination pod\'s declared port of that name',
    clusterPolicies: [anp('deny-named', 10, inNs('x'), { ingress: [fromNs('Deny', 'y', { ports: [{ namedPort: 'serve-80-udp' }] })] })],
    port: 80,
    protocol: 'UDP',
    denied: (f, t) => nsOf(t) === 'x' && nsOf(f) === 'y',
  },
  {
    rule: 'namedPort does not match another protocol\'s port of the same number',
    clusterPolicies: [anp('deny-named', 10, inNs('x'), { ingress: [fromNs('Deny', 'y', { ports: [{ namedPort: 'serve-80-udp' }] })] })],
    port: 80,
    protocol: 'TCP',
    denied: () => false,
  },
  {
    rule: 'AdminNetworkPolicyEgressInlineCIDRPeers: networks matches addresses outside the cluster',
    clusterPolicies: [anp('deny-net', 10, inNs('x'), { egress: [{ action: 'Deny', peers: [{ networks: ['198.19.250.0/24'] }] }] })],
    denied: (f, t) => nsOf(f) === 'x' && t === EXTERNAL_V4,
  },
  {
    rule: 'networks matches pod addresses too (the API says cluster-internal traffic is checked against it)',
    clusterPolicies: [anp('deny-y-net', 10, inNs('x'), { egress: [{ action: 'Deny', peers: [{ networks: ['198.18.2.0/24'] }] }] })],
    denied: (f, t) => nsOf(f) === 'x' && nsOf(t) === 'y',
  },
]

describe('the AdminNetworkPolicy → NetworkPolicy → BaselineAdminNetworkPolicy chain', () => {
  it.each(cases)('$rule', ({ clusterPolicies, policies, port, protocol, denied }) => {
    const snapshot = world(clusterPolicies, policies)
    expect(allowedPairs(snapshot, port, protocol)).toEqual(pairsExcept(ALL, (f, t) => !loop(f, t) && denied(f, t)))
  })

  it.each(cases)('each pair\'s own verdict agrees with the class matrix: $rule', ({ clusterPolicies, policies, port = 80, protocol = 'TCP' }) => {
    const snapshot = world(clusterPolicies, policies)
    const evaluator = createEvaluator(snapshot)
    const allowed = allowedPairs(snapshot, port, protocol)
    for (const from of evaluator.endpoints) {
      for (const to of evaluator.endpoints) {
        expect(evaluator.evaluate({ from, to, port, protocol }).allowed, `${from.key}->${to.key}`).toBe(allowed.has(`${from.key}->${to.key}`))
      }
    }
  })
})

describe('the evidence names the tier and the rule that decided', () => {
  const chain = world(
    [anp('deny-y', 10, inNs('x'), { ingress: [{ name: 'no-y', action: 'Deny', peers: [{ namespaces: ns('y') }] }, fromNs('Pass', 'z')] }),
      banp(inNs('x'), { ingress: [{ name: 'baseline-deny-z', action: 'Deny', peers: [{ namespaces: ns('z') }] }] })],
  )
  const evaluator = createEvaluator(chain)
  const verdictFor = (from: string, to: string) => evaluator.evaluate({ from: evaluator.endpoint(from)!, to: evaluator.endpoint(to)!, port: 80, protocol: 'TCP' })

  it('an ANP Deny: the admin tier decides, with the rule, its name and action', () => {
    const verdict = verdictFor('y/a', 'x/a')
    expect(verdict.allowed).toBe(false)
    expect(verdict.ingress.decidedBy).toBe('admin')
    expect(tierRuleLabel(decidingTierRule(verdict.ingress)!)).toBe('AdminNetworkPolicy/deny-y ingress[0] "no-y" Deny')
  })

  it('a Pass and no NetworkPolicy: the baseline tier decides', () => {
    const verdict = verdictFor('z/a', 'x/a')
    expect(verdict.allowed).toBe(false)
    expect(verdict.ingress.decidedBy).toBe('baseline')
    expect(verdict.ingress.admin?.decidedBy?.rule.action).toBe('Pass')
    expect(tierRuleLabel(decidingTierRule(verdict.ingress)!)).toBe('BaselineAdminNetworkPolicy/default ingress[0] "baseline-deny-z" Deny')
  })

  it('no rule of any tier matches: allowed by default', () => {
    const verdict = verdictFor('x/b', 'x/a')
    expect(verdict.allowed).toBe(true)
    expect(verdict.ingress.decidedBy).toBe('default')
    expect(verdict.ingress.admin?.rules.map((r) => r.matched)).toEqual([false, false])
  })

  it('a hostNetwork pod is never a subject of the admin tiers', () => {
    const hostWorld = world([anp('deny-all', 10, { namespaces: {} }, { ingress: [{ action: 'Deny', peers: [{ namespaces: {} }] }] })])
    hostWorld.pods = hostWorld.pods.map((p) => (p.namespace === 'x' && p.name === 'a' ? { ...p, hostNetwork: true } : p))
    const hostEvaluator = createEvaluator(hostWorld)
    const verdict = hostEvaluator.evaluate({ from: hostEvaluator.endpoint('y/a')!, to: hostEvaluator.endpoint('x/a')!, port: 80, protocol: 'TCP' })
    expect(verdict.ingress.admin).toBeUndefined()
    expect(verdict.ingress.decidedBy).toBe('default')
  })
})
