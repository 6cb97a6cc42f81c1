// The connections a change gains and loses, checked against the brute-force difference of the two
// full matrices, on the upstream 3x3 model; and the cost: only pairs a changed policy can affect are
// evaluated.
import { describe, expect, it } from 'vitest'
import { diffConnections } from '../../src/evaluate/diff.js'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import type { ClusterPolicy, ClusterSnapshot, NetworkPolicy } from '../../src/model/cluster.js'
import { EXTERNAL_V4, allowedPairs, policy, upstreamWorld } from './../support/world.js'

const denyX = policy('x', 'deny-all', {})
const allowYtoX = policy('x', 'allow-from-y', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] })
const zEgressToX = policy('z', 'egress-to-x', { policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'x' } } }] }] })
const denyYtoZ: ClusterPolicy = { tier: 'admin', name: 'deny-y-z', priority: 1, subject: { namespaces: { matchLabels: { ns: 'z' } } }, ingress: [{ action: 'Deny', peers: [{ namespaces: { matchLabels: { ns: 'y' } } }] }], egress: [] }

function world(policies: NetworkPolicy[], clusterPolicies: ClusterPolicy[] = []): ClusterSnapshot {
  return { ...upstreamWorld(policies, [EXTERNAL_V4]), clusterPolicies }
}

/** Pairs `from->to` (distinct endpoints) whose verdict differs, by the full matrices. */
function bruteForce(before: ClusterSnapshot, after: ClusterSnapshot): { gained: string[]; lost: string[] } {
  const a = allowedPairs(before)
  const b = allowedPairs(after)
  return { gained: [...b].filter((p) => !a.has(p)).sort(), lost: [...a].filter((p) => !b.has(p)).sort() }
}

function diffOf(before: ClusterSnapshot, after: ClusterSnapshot) {
  const b = createEvaluator(before)
  const a = createEvaluator(after)
  const result = diffConnections(b, a, { sources: b.endpoints, destinations: b.endpoints, queries: [{ port: 80, protocol: 'TCP' }] })
  const pairs = (kind: 'gained' | 'lost') => result.changes.filter((c) => c.change === kind)
    .flatMap((c) => c.from.flatMap((f) => c.to.filter((t) => t.key !== f.key).map((t) => `${f.key}->${t.key}`))).sort()
  return { result, gained: pairs('gained'), lost: pairs('lost') }
}

const cases: Array<{ change: string; before: ClusterSnapshot; after: ClusterSnapshot }> = [
  { change: 'adding a default deny to x loses every connection into x', before: world([]), after: world([denyX]) },
  { change: 'adding an allow next to a default deny gains y → x', before: world([denyX]), after: world([denyX, allowYtoX]) },
  { change: 'deleting the allow loses y → x again', before: world([denyX, allowYtoX]), after: world([denyX]) },
  { change: 'deleting both gains everything into x but from y', before: world([denyX, allowYtoX]), after: world([]) },
  { change: 'an egress policy in z loses z → y, z → z and z → the outside', before: world([]), after: world([zEgressToX]) },
  { change: 'an AdminNetworkPolicy Deny loses y → z although no NetworkPolicy changed', before: world([]), after: world([], [denyYtoZ]) },
  { change: 'replacing every policy (a second set of files)', before: world([denyX, zEgressToX]), after: world([allowYtoX], [denyYtoZ]) },
]

describe('diff', () => {
  it.each(cases)('$change: the same changes as the full matrices', ({ before, after }) => {
    const expected = bruteForce(before, after)
    const { gained, lost } = diffOf(before, after)
    expect({ gained, lost }).toEqual(expected)
    expect(gained.length + lost.length).toBeGreaterThan(0)
  })

  it('evaluates only the pairs whose sides a changed policy selects', () => {
    // 10 classes (9 pods, 1 address): a change in x's ingress touches the 10 × 3 pairs into x.
    const { result } = diffOf(world([]), world([denyX]))
    expect(result.classes).toBe(10)
    expect(result.evaluatedPairs).toBe(10 * 3 - 3)
  })

  it('an unchanged policy, even as another object with the same content, changes nothing and costs nothing', () => {
    const { result } = diffOf(world([denyX]), world([structuredClone(denyX)]))
    expect(result).toMatchObject({ changes: [], evaluatedPairs: 0 })
  })

  it('a change carries the verdicts before and after, for the rule responsible', () => {
    const { result } = diffOf(world([]), world([], [denyYtoZ]))
    const lost = result.changes.find((c) => c.from[0].key === 'y/a' && c.to[0].key === 'z/a')!
    expect(lost.change).toBe('lost')
    expect(lost.after.ingress.decidedBy).toBe('admin')
    expect(lost.before.ingress.decidedBy).toBe('default')
  })
})
