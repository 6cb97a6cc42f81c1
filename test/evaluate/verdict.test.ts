import { describe, expect, it } from 'vitest'
import { createEvaluator, type Check } from '../../src/evaluate/evaluate.js'
import { predictMatrix } from '../../src/evaluate/predict.js'
import type { ClusterSnapshot, NetworkPolicy, Pod } from '../../src/model/cluster.js'
import { EXTERNAL_V4, podPairs, policy, upstreamPod, upstreamWorld } from '../support/world.js'

function check(world: ClusterSnapshot, from: string, to: string, port: number | string = 80): Check {
  const evaluator = createEvaluator(world)
  return { from: evaluator.endpoint(from)!, to: evaluator.endpoint(to)!, port, protocol: 'TCP' }
}

function verdict(world: ClusterSnapshot, from: string, to: string, port: number | string = 80) {
  return createEvaluator(world).evaluate(check(world, from, to, port))
}

describe('verdict evidence', () => {
  it('names the rule, peer and port entry that allowed the connection', () => {
    const world = upstreamWorld([policy('x', 'web', {
      podSelector: { matchLabels: { pod: 'a' } },
      ingress: [
        { from: [{ podSelector: { matchLabels: { pod: 'c' } } }] },
        { from: [{ ipBlock: { cidr: '198.19.0.0/16' } }, { namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port: 81 }, { port: 80 }] },
      ],
    })])
    const v = verdict(world, 'y/b', 'x/a')
    expect(v.allowed).toBe(true)
    expect(v.ingress.isolated).toBe(true)
    expect(v.ingress.allowedBy.map((r) => [r.rule.policy.name, r.rule.index, r.peer, r.port])).toEqual([['web', 1, 1, 1]])
    expect(v.egress.isolated).toBe(false)
  })

  it('explains a denial rule by rule: which part failed', () => {
    const world = upstreamWorld([policy('x', 'web', { ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }], ports: [{ port: 81 }] }] })])
    const v = verdict(world, 'x/b', 'x/a')
    expect(v.allowed).toBe(false)
    expect(v.ingress.policies).toHaveLength(1)
    expect(v.ingress.policies[0].rules.map((r) => [r.peer, r.port, r.matched])).toEqual([[0, 'none', false]])
  })

  it('a rule without from/ports reports them as matching all', () => {
    const world = upstreamWorld([policy('x', 'open', { ingress: [{}] })])
    expect(verdict(world, 'y/a', 'x/a').ingress.allowedBy.map((r) => [r.peer, r.port])).toEqual([['all', 'all']])
  })

  it('a policy that does not apply to a direction does not appear on that side', () => {
    const world = upstreamWorld([policy('x', 'egress-only', { policyTypes: ['Egress'], egress: [{}] })])
    const v = verdict(world, 'y/a', 'x/a')
    expect(v.ingress.policies).toEqual([])
    expect(verdict(world, 'x/a', 'y/a').egress.policies.map((p) => p.policy.name)).toEqual(['egress-only'])
  })

  it('an unresolved port name leaves resolvedPort empty', () => {
    const world = upstreamWorld([])
    expect(verdict(world, 'x/a', 'y/a', 'serve-81-udp').resolvedPort).toBe(81)
    expect(verdict(world, 'x/a', 'y/a', 'nope').resolvedPort).toBeUndefined()
  })
})

describe('behaviour the spec leaves to the CNI is flagged with its default', () => {
  const denyAll = [policy('x', 'deny', { policyTypes: ['Ingress', 'Egress'] })]

  it('loopback: a pod reaching itself is allowed by default and flagged', () => {
    const v = verdict(upstreamWorld(denyAll), 'x/a', 'x/a')
    expect(v.allowed).toBe(true)
    expect(v.ingress.allowed).toBe(false)
    expect(v.cniDefined.map((c) => c.kind)).toEqual(['loopback'])
  })

  it("loopback: 'policy' mode judges a pod reaching itself by the policies", () => {
    const world = upstreamWorld(denyAll)
    const v = createEvaluator(world).evaluate(check(world, 'x/a', 'x/a'), { loopback: 'policy' })
    expect(v.allowed).toBe(false)
    expect(v.cniDefined).toEqual([])
  })

  it('ipBlock matching a pod IP is flagged', () => {
    const world = upstreamWorld([policy('x', 'cidr', { ingress: [{ from: [{ ipBlock: { cidr: '198.18.2.0/24' } }] }] })])
    expect(verdict(world, 'y/a', 'x/a').cniDefined.map((c) => c.kind)).toEqual(['ipblock-pod-ip'])
  })

  it('a hostNetwork pod is not isolated by policies that select its labels, and is flagged', () => {
    const world = upstreamWorld(denyAll)
    world.pods.push(upstreamPod('x', 'node-agent', { labels: { pod: 'a' }, hostNetwork: true, ips: ['198.18.0.1'] }))
    const v = verdict(world, 'y/a', 'x/node-agent')
    expect(v.allowed).toBe(true)
    expect(v.ingress.exempt).toBe('host-network')
    expect(v.cniDefined.map((c) => c.kind)).toContain('host-network')
  })

  it('a hostNetwork source is not matched by pod selectors', () => {
    const world = upstreamWorld([policy('y', 'from-x', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'x' } } }] }] })])
    world.pods.push(upstreamPod('x', 'node-agent', { hostNetwork: true, ips: ['198.18.0.1'] }))
    expect(verdict(world, 'x/node-agent', 'y/a').allowed).toBe(false)
  })

  it('traffic from a node address is allowed into isolated pods by default and flagged', () => {
    const world: ClusterSnapshot = { ...upstreamWorld(denyAll, ['198.18.0.1']), nodes: [{ name: 'n1', ips: ['198.18.0.1'] }] }
    const v = verdict(world, '198.18.0.1', 'x/a')
    expect(v.allowed).toBe(true)
    expect(v.cniDefined.map((c) => c.kind)).toEqual(['node'])
  })
})

// The class matrix and the per-pair evaluator must agree on every pair of any world.
describe('class matrix agrees with per-pair evaluation', () => {
  it.each(Array.from({ length: 40 }, (_, i) => i + 1))('random world #%i', (seed) => {
    const world = randomWorld(seed)
    const evaluator = createEvaluator(world)
    for (const query of [{ port: 80, protocol: 'TCP' as const }, { port: 'serve-81-udp', protocol: 'UDP' as const }]) {
      const prediction = predictMatrix(evaluator, { sources: evaluator.endpoints, destinations: evaluator.endpoints, queries: [query] })
      const mismatches = [...podPairs(prediction, 0)].filter((p) => {
        const truth = evaluator.evaluate({ from: p.from, to: p.to, ...query })
        return p.verdict.allowed !== truth.allowed || p.verdict.cniDefined.join() !== truth.cniDefined.map((c) => c.kind).join()
      }).map((p) => `${p.from.key}->${p.to.key}`)
      expect(mismatches).toEqual([])
      // Every group pair says what each of its distinct pod pairs says.
      for (const from of prediction.sources) {
        for (const to of prediction.destinations) {
          const cell = prediction.cell(0, from, to)
          const pairs = from.members.flatMap((a) => to.members.filter((b) => a !== b || from.members.length === 1).map((b) => prediction.pair(0, a, b)))
          expect(pairs.every((p) => p.allowed === cell.allowed)).toBe(true)
        }
      }
      expect([...podPairs(prediction, 0)].every((p) => prediction.verdict(0, p.from, p.to).allowed === p.verdict.allowed)).toBe(true)
    }
  })
})

function randomWorld(seed: number): ClusterSnapshot {
  let state = seed * 2654435761 % 2 ** 32
  const rand = (n: number) => { state = (state * 1664525 + 1013904223) % 2 ** 32; return state % n }
  const pick = <T>(items: T[]): T => items[rand(items.length)]
  const namespaces = ['x', 'y', 'z']
  const labelValues = ['a', 'b', 'c']
  const selector = () => pick([{}, { matchLabels: { pod: pick(labelValues) } },
    { matchExpressions: [{ key: pick(['pod', 'team']), operator: pick(['In', 'NotIn'] as const), values: [pick(labelValues)] }] },
    { matchExpressions: [{ key: pick(['pod', 'team']), operator: pick(['Exists', 'DoesNotExist'] as const) }] }])
  const peer = () => pick([
    { podSelector: selector() },
    { namespaceSelector: { matchLabels: { ns: pick(namespaces) } } },
    { namespaceSelector: selector(), podSelector: selector() },
    { ipBlock: { cidr: pick(['198.18.0.0/16', '198.18.1.0/24', '198.19.250.0/24', '0.0.0.0/0']), except: pick([[], ['198.18.1.10/32']]) } },
  ])
  const ports = () => pick([undefined, [], [{ port: 80 }], [{ port: 'serve-81-udp', protocol: 'UDP' as const }], [{ protocol: 'UDP' as const }], [{ port: 79, endPort: 81 }]])
  const rule = (key: 'from' | 'to') => pick([{}, { [key]: [peer()], ports: ports() }, { [key]: [peer(), peer()] }, { [key]: [] }])
  const policies: NetworkPolicy[] = Array.from({ length: rand(5) }, (_, i) => policy(pick(namespaces), `p${i}`, {
    podSelector: selector(),
    policyTypes: pick([undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']] as const)?.slice(),
    ingress: pick([undefined, [], [rule('from')], [rule('from'), rule('from')]]),
    egress: pick([undefined, [], [rule('to')]]),
  }))
  const world = upstreamWorld(policies, [EXTERNAL_V4])
  world.pods = world.pods.map((p): Pod => rand(3) === 0 ? { ...p, labels: { ...p.labels, team: pick(labelValues) } } : p)
  return world
}
