// Why a rule did not match, as data: each failed peer and port entry with what it wanted and what the connection had.
import { describe, expect, it } from 'vitest'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import { explain } from '../../src/evaluate/explain.js'
import type { NetworkPolicy } from '../../src/model/cluster.js'
import { EXTERNAL_V4, policy, upstreamPod, upstreamWorld } from '../support/world.js'

/** The misses of the first rule of the destination's (ingress) or source's (egress) first policy. */
function missesOf(policies: NetworkPolicy[], from: string, to: string, port: number | string, direction: 'ingress' | 'egress' = 'ingress', tweak = (w: ReturnType<typeof upstreamWorld>) => w) {
  const world = tweak(upstreamWorld(policies, [EXTERNAL_V4]))
  const evaluator = createEvaluator(world)
  const e = explain(evaluator.evaluate({ from: evaluator.endpoint(from)!, to: evaluator.endpoint(to)!, port, protocol: 'TCP' }), evaluator)
  const rule = e.sides[direction === 'egress' ? 0 : 1].policies[0].rules[0]
  return { peers: rule.peerMisses, ports: rule.portMisses }
}

const ingress = (rule: NonNullable<NetworkPolicy['spec']['ingress']>[number]) => [policy('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, ingress: [rule] })]

describe('peer misses', () => {
  it('NotIn and DoesNotExist name the value that excluded the peer', () => {
    const { peers } = missesOf(ingress({ from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'NotIn', values: ['b'] }, { key: 'pod', operator: 'DoesNotExist' }] } }] }), 'x/b', 'x/a', 80)
    expect(peers).toEqual([{
      entry: 0, kind: 'selectors',
      pods: {
        selector: 'pod notin (b),!pod', subject: 'x/b', labels: { pod: 'b' }, nearest: [],
        unmet: [
          { requirement: 'pod notin (b)', key: 'pod', operator: 'NotIn', values: ['b'], actual: 'b' },
          { requirement: '!pod', key: 'pod', operator: 'DoesNotExist', values: [], actual: 'b' },
        ],
      },
    }])
  })

  it('a wanted key found under a prefix is a nearest miss', () => {
    const { peers } = missesOf(ingress({ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }), 'x/b', 'x/a', 80, 'ingress', (w) => {
      w.pods.find((p) => p.name === 'b' && p.namespace === 'x')!.labels = { 'app.kubernetes.io/name': 'web' }
      return w
    })
    expect(peers[0]).toMatchObject({ kind: 'selectors', pods: { nearest: [{ wanted: 'app=web', has: 'app.kubernetes.io/name=web' }] } })
  })

  it('a pod selector never matches an external address, nor a hostNetwork pod', () => {
    expect(missesOf(ingress({ from: [{ podSelector: {} }] }), EXTERNAL_V4, 'x/a', 80).peers).toEqual([{ entry: 0, kind: 'not-a-pod', peer: EXTERNAL_V4, reason: 'external' }])
    const hostNetwork = missesOf(ingress({ from: [{ podSelector: {} }] }), 'x/b', 'x/a', 80, 'ingress', (w) => {
      w.pods = w.pods.map((p) => (p.namespace === 'x' && p.name === 'b' ? upstreamPod('x', 'b', { hostNetwork: true }) : p))
      return w
    })
    expect(hostNetwork.peers).toEqual([{ entry: 0, kind: 'not-a-pod', peer: 'x/b', reason: 'host-network' }])
  })

  it('an address outside the cidr lists the peer\'s addresses', () => {
    expect(missesOf(ingress({ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] }), 'y/b', 'x/a', 80).peers)
      .toEqual([{ entry: 0, kind: 'outside-cidr', cidr: '10.0.0.0/8', addresses: ['198.18.2.11', 'fd00:2::11'] }])
  })
})

describe('port misses', () => {
  it('another number, and an asked name the destination does not declare', () => {
    const rule = ingress({ ports: [{ port: 81 }, { port: 90, endPort: 99 }] })
    expect(missesOf(rule, 'x/b', 'x/a', 80).ports).toEqual([
      { entry: 0, kind: 'port', wanted: '81', asked: 80, actual: 80 },
      { entry: 1, kind: 'port', wanted: '90-99', asked: 80, actual: 80 },
    ])
    expect(missesOf(rule, 'x/b', 'x/a', 'nope').ports[0]).toEqual({ entry: 0, kind: 'port', wanted: '81', asked: 'nope' })
  })

  it('a named port: another number on the destination, or not declared there', () => {
    expect(missesOf(ingress({ ports: [{ port: 'serve-81-tcp' }, { port: 'metrics' }] }), 'x/b', 'x/a', 80).ports).toEqual([
      { entry: 0, kind: 'named-port', name: 'serve-81-tcp', protocol: 'TCP', reason: 'other-port', declared: 81, actual: 80 },
      { entry: 1, kind: 'named-port', name: 'metrics', protocol: 'TCP', reason: 'undeclared', actual: 80 },
    ])
  })

  it('an egress named port towards an external address cannot resolve', () => {
    const egress = [policy('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'serve-80-tcp' }] }] })]
    expect(missesOf(egress, 'x/a', EXTERNAL_V4, 80, 'egress').ports).toEqual([{ entry: 0, kind: 'named-port', name: 'serve-80-tcp', protocol: 'TCP', reason: 'not-a-pod' }])
  })
})

describe('rules switched off by policyTypes', () => {
  it('are listed on the side they would apply to, not on the other', () => {
    const world = upstreamWorld([policy('x', 'p', { podSelector: { matchLabels: { pod: 'a' } }, policyTypes: ['Egress'], ingress: [{}, {}], egress: [{}] })])
    const evaluator = createEvaluator(world)
    const e = explain(evaluator.evaluate({ from: evaluator.endpoint('x/a')!, to: evaluator.endpoint('x/a')!, port: 80, protocol: 'TCP' }), evaluator)
    expect(e.sides.map((s) => s.ignored)).toEqual([[], [{ policy: 'x/p', rules: 2, policyTypes: ['Egress'] }]])
  })
})
