import { describe, expect, it } from 'vitest'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import type { ClusterPolicy, ClusterSnapshot, NetworkPolicy } from '../../src/model/cluster.js'
import type { ProbeJob } from '../../src/plan/plan.js'
import { KNOWN_DEVIATIONS, knownDeviation, nameKnownDeviation } from '../../src/reconcile/deviations.js'
import { reconcileOne, type ReconciledCheck } from '../../src/reconcile/reconcile.js'
import type { Observation } from '../../src/model/probe.js'
import { policy, upstreamWorld } from '../support/world.js'

interface Measurement {
  to?: string
  port?: number
  observation: Observation
  serverListens?: boolean
}

/** x/a → `to` (x/b) on TCP `port` (80) in the given world, predicted by the evaluator and observed as given. */
function measure(world: ClusterSnapshot, { to = 'x/b', port = 80, observation, serverListens = true }: Measurement): ReconciledCheck {
  const evaluator = createEvaluator(world)
  const from = evaluator.endpoint('x/a')!
  const destination = evaluator.endpoint(to)!
  const host = destination.kind === 'external' ? destination.key : '198.18.1.11'
  const job = { id: 'j', from, to: destination, port, protocol: 'TCP', target: { host, port }, sourceMembers: ['x/a'] } as ProbeJob
  const prediction = evaluator.evaluate({ from, to: destination, port, protocol: 'TCP' }, { loopback: 'policy' })
  return reconcileOne({ job, prediction, result: { jobId: 'j', ran: true, observation, elapsedMs: 5, detail: '' }, attempts: 3, serverListens })
}

/** x/a → x/b TCP/80 under the given policies. */
const measured = (policies: NetworkPolicy[], observation: Observation, to = 'x/b') => measure(upstreamWorld(policies), { to, observation })

const ID = 'kube-router/ingress-rule-lets-selected-pods-out'
/** One policy selecting every pod of x for both directions: ingress on 80 from anyone, no egress at all. */
const bothWays = policy('x', 'both-ways', { policyTypes: ['Ingress', 'Egress'], ingress: [{ ports: [{ port: 80 }] }] })
const bothWaysFromA = policy('x', 'both-ways', { policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'a' } } }] }] })
const egressDenyA = policy('x', 'a-no-egress', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'] })
const ingressFromAnyone = policy('x', 'b-from-anyone', { podSelector: { matchLabels: { pod: 'b' } }, ingress: [{ ports: [{ port: 80 }] }] })

describe('kube-router: an ingress rule of a policy selecting both pods for both directions lets the source out', () => {
  it('names the deviation when the ingress rule has no `from`', () => {
    const check = measured([bothWays], 'connected')
    expect(check.verdict).toBe('under-enforced')
    expect(knownDeviation(check, 'kube-router')?.id).toBe(ID)
    const named = nameKnownDeviation(check, 'kube-router')
    expect(named.verdict).toBe('under-enforced')
    expect(named.knownDeviation).toBe(ID)
    expect(named.note).toMatch(/^known kube-router deviation \(kube-router\/ingress-rule-lets-selected-pods-out\): between pods that one policy selects/)
  })

  it('names it when the ingress rule admits the source by a selector', () => {
    expect(knownDeviation(measured([bothWaysFromA], 'connected'), 'kube-router')?.id).toBe(ID)
  })

  it('does not apply when the egress denial and the ingress rule come from different policies', () => {
    const check = measured([egressDenyA, ingressFromAnyone], 'connected')
    expect(check.verdict).toBe('under-enforced')
    expect(knownDeviation(check, 'kube-router')).toBeUndefined()
  })

  it('does not apply when the connection is blocked as predicted', () => {
    expect(knownDeviation(measured([bothWays], 'refused'), 'kube-router')).toBeUndefined()
  })

  it('does not apply to another enforcer, nor when the enforcer is not known', () => {
    const check = measured([bothWays], 'connected')
    expect(knownDeviation(check, 'kube-network-policies')).toBeUndefined()
    expect(nameKnownDeviation(check, undefined)).toBe(check)
  })
})

describe('kube-network-policies: a pod\'s connections to its node are not filtered', () => {
  const noEgress = policy('x', 'no-egress', { policyTypes: ['Egress'] })
  /** x/a → EXTERNAL:10250 with every egress of x denied; the address is a node's when `node` is given. */
  function toExternal(node: string | undefined, observation: Observation): ReconciledCheck {
    const world = upstreamWorld([noEgress], ['198.18.0.1'])
    return measure({ ...world, nodes: node ? [{ name: node, ips: ['198.18.0.1'] }] : [] }, { to: '198.18.0.1', port: 10250, observation, serverListens: false })
  }

  it('names the deviation when an egress-isolated pod reaches a node address', () => {
    const check = toExternal('node-1', 'connected')
    expect(check.verdict).toBe('under-enforced')
    expect(knownDeviation(check, 'kube-network-policies')?.id).toBe('kube-network-policies/node-address-unfiltered')
    expect(knownDeviation(check, 'kube-router')).toBeUndefined()
  })

  it('does not apply to an address that is no node\'s', () => {
    const check = toExternal(undefined, 'connected')
    expect(check.verdict).toBe('under-enforced')
    expect(knownDeviation(check, 'kube-network-policies')).toBeUndefined()
  })
})

describe('kube-router: the admin tiers are not enforced', () => {
  const ID_ADMIN = 'kube-router/admin-tiers-not-enforced'
  /** x/a → x/b TCP/80 with the given cluster-scoped policies, measured as given. */
  function withTiers(clusterPolicies: ClusterPolicy[], observation: Observation, policies: NetworkPolicy[] = []): ReconciledCheck {
    return measure({ ...upstreamWorld(policies), clusterPolicies }, { observation })
  }
  const denyAll = (tier: 'admin' | 'baseline'): ClusterPolicy => ({
    tier, name: tier === 'admin' ? 'deny-all' : 'default', ...(tier === 'admin' ? { priority: 1 } : {}),
    subject: { namespaces: {} }, ingress: [{ action: 'Deny', peers: [{ namespaces: {} }] }], egress: [],
  })

  it.each(['admin', 'baseline'] as const)('names it when a %s-tier Deny goes through', (tier) => {
    const check = withTiers([denyAll(tier)], 'connected')
    expect(check.verdict).toBe('under-enforced')
    expect(knownDeviation(check, 'kube-router')?.id).toBe(ID_ADMIN)
    expect(knownDeviation(check, 'kube-network-policies')).toBeUndefined()
  })

  it('names it when an ANP Allow over a NetworkPolicy denial is blocked', () => {
    const allowAll: ClusterPolicy = { tier: 'admin', name: 'allow-all', priority: 1, subject: { namespaces: {} }, ingress: [{ action: 'Allow', peers: [{ namespaces: {} }] }], egress: [] }
    const check = withTiers([allowAll], 'refused', [policy('x', 'deny', {})])
    expect(check.verdict).toBe('over-enforced')
    expect(knownDeviation(check, 'kube-router')?.id).toBe(ID_ADMIN)
  })

  it('does not apply when the NetworkPolicy tier decided the denial', () => {
    expect(knownDeviation(measured([policy('x', 'deny', {})], 'connected'), 'kube-router')?.id).not.toBe(ID_ADMIN)
  })
})

describe('kube-network-policies: an ANP ingress namedPort is looked up on the source pod', () => {
  const ID_NAMED = 'kube-network-policies/admin-ingress-named-port-on-source'
  /** x/a → x/b TCP/80 (x/b declares serve-80-tcp) under one ANP ingress rule on the given port. */
  function withAdminRule(action: 'Allow' | 'Deny', port: { namedPort: string } | { portNumber: { protocol: 'TCP'; port: number } }, observation: Observation, policies: NetworkPolicy[] = []): ReconciledCheck {
    const anp: ClusterPolicy = { tier: 'admin', name: 'named', priority: 1, subject: { namespaces: {} }, ingress: [{ action, peers: [{ namespaces: {} }], ports: [port] }], egress: [] }
    return measure({ ...upstreamWorld(policies), clusterPolicies: [anp] }, { observation })
  }

  it('names it when a Deny on a named port goes through', () => {
    const check = withAdminRule('Deny', { namedPort: 'serve-80-tcp' }, 'connected')
    expect(check.verdict).toBe('under-enforced')
    expect(knownDeviation(check, 'kube-network-policies')?.id).toBe(ID_NAMED)
    expect(knownDeviation(check, 'kube-router')?.id).not.toBe(ID_NAMED)
  })

  it('names it when an Allow on a named port over a NetworkPolicy denial is blocked', () => {
    const check = withAdminRule('Allow', { namedPort: 'serve-80-tcp' }, 'refused', [policy('x', 'deny', {})])
    expect(check.verdict).toBe('over-enforced')
    expect(knownDeviation(check, 'kube-network-policies')?.id).toBe(ID_NAMED)
  })

  it('does not apply when the rule names the port by number', () => {
    const check = withAdminRule('Deny', { portNumber: { protocol: 'TCP', port: 80 } }, 'connected')
    expect(check.verdict).toBe('under-enforced')
    expect(knownDeviation(check, 'kube-network-policies')).toBeUndefined()
  })
})

describe('the catalogue', () => {
  it('has unique ids prefixed by their enforcer', () => {
    const ids = KNOWN_DEVIATIONS.map((d) => d.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const d of KNOWN_DEVIATIONS) expect(d.id.startsWith(`${d.enforcer}/`)).toBe(true)
  })
})
