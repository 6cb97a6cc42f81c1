import { describe, expect, it } from 'vitest'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import { lint, lintScopeOf } from '../../src/evaluate/lint.js'
import type { ClusterSnapshot, NetworkPolicy } from '../../src/model/cluster.js'
import { policy, upstreamPod, upstreamWorld } from '../support/world.js'

function codes(world: ClusterSnapshot): string[] {
  return lint(createEvaluator(world), lintScopeOf(world)).map((w) => `${w.code} ${w.policy ?? ''} ${w.field ?? ''}`.trim())
}

const cases: Array<{ rule: string; policies: NetworkPolicy[]; expected: string[] }> = [
  { rule: 'a policy that selects no pod', policies: [policy('x', 'ghost', { podSelector: { matchLabels: { pod: 'nope' } } })], expected: ['selects-nothing x/ghost spec.podSelector'] },
  {
    rule: 'a peer that matches no pod',
    policies: [policy('x', 'p', { ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'q' } } }, { podSelector: { matchLabels: { pod: 'a' } } }] }] })],
    expected: ['peer-matches-nothing x/p spec.ingress[0].from[0]'],
  },
  {
    rule: 'an ingress named port no selected pod declares',
    policies: [policy('x', 'p', { ingress: [{ ports: [{ port: 'http' }, { port: 'serve-80-tcp' }] }] })],
    expected: ['undeclared-named-port x/p spec.ingress[0].ports[0]'],
  },
  { rule: 'egress isolation with no DNS path', policies: [policy('y', 'lockdown', { policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }] }] })], expected: ['no-dns-egress'] },
  { rule: 'egress isolation that allows only UDP 53 (no TCP fallback)', policies: [policy('y', 'dns', { policyTypes: ['Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })], expected: ['udp-only-dns'] },
  {
    rule: 'nothing when egress allows UDP and TCP 53',
    policies: [policy('y', 'dns', { policyTypes: ['Egress'], egress: [{ ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }] })],
    expected: [],
  },
  {
    rule: 'egress to DNS by the wrong namespace label, with no DNS pod in the input (kube-dns labels assumed)',
    policies: [policy('y', 'dns', { policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { name: 'kube-system' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }] })],
    expected: ['peer-matches-nothing y/dns spec.egress[0].to[0]', 'no-dns-egress'],
  },
  {
    rule: 'nothing when egress reaches the assumed kube-dns pods by the conventional labels',
    policies: [policy('y', 'dns', {
      policyTypes: ['Egress'],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }],
    })],
    expected: ['peer-matches-nothing y/dns spec.egress[0].to[0]'],
  },
  {
    rule: 'nothing when egress to an ipBlock covers port 53 (the assumed DNS pod has no known IP)',
    policies: [policy('y', 'out', { policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }] })],
    expected: [],
  },
  {
    rule: 'ingress rules switched off by policyTypes [Egress]',
    policies: [policy('x', 'p', { policyTypes: ['Egress'], ingress: [{}], egress: [{}] })],
    expected: ['rules-ignored-by-policy-types x/p spec.ingress'],
  },
  {
    rule: 'egress rules switched off by policyTypes [Ingress]',
    policies: [policy('x', 'p', { policyTypes: ['Ingress'], ingress: [{}], egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })],
    expected: ['rules-ignored-by-policy-types x/p spec.egress'],
  },
]

describe('lint', () => {
  it.each(cases)('warns about $rule', ({ policies, expected }) => {
    expect(codes(upstreamWorld(policies))).toEqual(expected)
  })

  it('egress isolation is checked against the cluster DNS pods when the snapshot has them', () => {
    const world = upstreamWorld([policy('y', 'only-x', { policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'x' } } }] }] })])
    world.namespaces.push({ name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } })
    world.pods.push(upstreamPod('kube-system', 'coredns', { labels: { 'k8s-app': 'kube-dns' }, ips: ['198.18.9.9'] }))
    expect(codes(world)).toEqual(['no-dns-egress'])
  })

  it('does not judge peers in namespaces whose pods were not read (live -n)', () => {
    const world = upstreamWorld([policy('x', 'dns', { policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }] }] })])
    world.namespaces.push({ name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } })
    expect(codes(world)).toContain('peer-matches-nothing x/dns spec.egress[0].to[0]')
    expect(codes({ ...world, podScope: { namespaces: ['x', 'y', 'z'] } })).not.toContain('peer-matches-nothing x/dns spec.egress[0].to[0]')
  })

  it('warns about skipped policy kinds and non-manifest files, naming the objects', () => {
    const world = upstreamWorld()
    world.skipped = {
      objects: [
        { kind: 'CiliumNetworkPolicy', apiVersion: 'cilium.io/v2', namespace: 'x', name: 'l7', where: 'a.yaml document 0' },
        { kind: 'NetworkPolicy', apiVersion: 'extensions/v1beta1', namespace: 'x', name: 'old', where: 'a.yaml document 1' },
      ],
      files: ['dir/results.json is not a Kubernetes object (a list)'],
    }
    const warnings = lint(createEvaluator(world), lintScopeOf(world))
    expect(warnings.map((w) => w.code)).toEqual(['skipped-policy-kind', 'skipped-policy-kind', 'not-a-manifest'])
    expect(warnings[0].message).toBe('1 CiliumNetworkPolicy (cilium.io/v2) not evaluated: x/l7; the prediction ignores it, what enforces it: Cilium')
  })

  it('does not say "selects no pod" when pods were filtered by labels (live -l)', () => {
    const world = upstreamWorld([policy('x', 'ghost', { podSelector: { matchLabels: { pod: 'nope' } } })])
    expect(codes({ ...world, podScope: { labelSelector: 'pod=a' } })).toEqual([])
  })
})
