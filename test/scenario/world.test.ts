import { describe, expect, it } from 'vitest'
import { RUN_ID_LABEL, type NetworkPolicy } from '../../src/model/cluster.js'
import { cidrContains, parseCidr, parseAddress } from '../../src/model/ip.js'
import { parseScenario } from '../../src/scenario/schema.js'
import { stepStates } from '../../src/scenario/state.js'
import {
  liveNames, livePolicy, liveSnapshot, namespaceManifest, offlineSnapshot, policyManifest, SCENARIO_NAMESPACE_LABEL, serverPodManifest, serverScript,
} from '../../src/scenario/world.js'

const names = liveNames('abc123')
const SCENARIO = parseScenario(`
name: w
description: d
world:
  dns: true
  namespaces: {shop: {team: blue}, db: {}}
  pods:
    shop/web: {labels: {app: web}, ports: [80, {port: 53, protocol: UDP}, {port: 9000, protocol: SCTP}]}
    db/pg: {labels: {app: pg}, ports: [{port: 5432, name: pg}]}
steps:
  - name: s
    apply:
      - metadata: {name: pg, namespace: db}
        spec:
          podSelector: {}
          ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop, team: blue}}}]}]
    label: [{pod: shop/web, set: {tier: front}, remove: [app]}]
`, 'w.yaml')

describe('world → manifests', () => {
  it('prefixes namespace names with the run id and keeps world labels, the run label and the scenario name', () => {
    expect(namespaceManifest('shop', { team: 'blue' }, names)).toEqual({
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name: 'np-abc123-shop', labels: { team: 'blue', [RUN_ID_LABEL]: 'abc123', [SCENARIO_NAMESPACE_LABEL]: 'shop' } },
    })
  })

  it('runs servers as non-root with every capability dropped and RuntimeDefault seccomp, low ports through the safe sysctl', () => {
    const pod = serverPodManifest(SCENARIO.world.pods[0], names, 'img:1') as { metadata: { namespace: string; labels: Record<string, string> }; spec: Record<string, any> }
    expect(pod.metadata.namespace).toBe('np-abc123-shop')
    expect(pod.metadata.labels).toEqual({ app: 'web', [RUN_ID_LABEL]: 'abc123' })
    expect(pod.spec.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' },
      sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
    })
    expect(pod.spec.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true })
    expect(pod.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }, { containerPort: 9000, protocol: 'SCTP' }])
    const highPorts = serverPodManifest(SCENARIO.world.pods[1], names, 'img:1') as { spec: { securityContext: object } }
    expect(highPorts.spec.securityContext).not.toHaveProperty('sysctls')
  })

  it('starts a listener per declared port: TCP answers, UDP echoes, SCTP is allowed to fail', () => {
    const script = serverScript(SCENARIO.world.pods[0].ports)
    expect(script).toContain("socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:'echo ok' &")
    expect(script).toContain('socat UDP-RECVFROM:53,fork,reuseaddr SYSTEM:cat &')
    expect(script).toMatch(/SCTP-LISTEN:9000,fork,reuseaddr .*\|\| echo "no SCTP listener on 9000" >&2; } &/)
    expect(script.trim().split('\n').slice(-2)).toEqual(['wait', 'sleep infinity'])
  })

  it('rewrites namespaceSelectors on kubernetes.io/metadata.name to the prefixed names, and nothing else', () => {
    const policy: NetworkPolicy = {
      namespace: 'db', name: 'p', spec: {
        podSelector: {},
        ingress: [{ from: [
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop', team: 'blue' } } },
          { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop', 'kube-system'] }] } },
          { podSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
        ] }],
        egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }] }],
      },
    }
    const live = livePolicy(policy, names, ['shop', 'db'])
    expect(live.namespace).toBe('np-abc123-db')
    expect(live.spec.ingress![0].from).toEqual([
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'np-abc123-shop', team: 'blue' } } },
      { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['np-abc123-shop', 'kube-system'] }] } },
      { podSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
    ])
    expect(live.spec.egress).toEqual(policy.spec.egress)
    expect(policyManifest(policy, names, ['shop', 'db'])).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'np-abc123-db', labels: { [RUN_ID_LABEL]: 'abc123' } } })
  })
})

describe('world → snapshots', () => {
  const [state] = stepStates(SCENARIO)

  it('offline: stand-in addresses in 198.18.0.0/16, namespace name labels, the cluster DNS, the step labels', () => {
    const snapshot = offlineSnapshot(SCENARIO.world, state)
    const range = parseCidr('198.18.0.0/16')!
    for (const pod of snapshot.pods) expect(cidrContains(range, parseAddress(pod.ips[0])!)).toBe(true)
    expect(new Set(snapshot.pods.map((p) => p.ips[0])).size).toBe(snapshot.pods.length)
    expect(snapshot.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['shop/web', 'db/pg', 'kube-system/coredns'])
    expect(snapshot.pods[0].labels).toEqual({ tier: 'front' })
    expect(snapshot.namespaces.find((n) => n.name === 'shop')?.labels).toEqual({ team: 'blue', 'kubernetes.io/metadata.name': 'shop' })
  })

  it('live: the prefixed names, the cluster-assigned addresses, the rewritten policies and the real DNS pods', () => {
    const snapshot = liveSnapshot(SCENARIO.world, state, names, new Map([['shop/web', ['10.1.0.5']], ['db/pg', ['10.1.0.6']]]),
      [{ namespace: 'kube-system', name: 'coredns-1', labels: { 'k8s-app': 'kube-dns' }, ips: ['10.1.0.2'] }])
    expect(snapshot.pods.map((p) => [`${p.namespace}/${p.name}`, p.ips[0]])).toEqual([['np-abc123-shop/web', '10.1.0.5'], ['np-abc123-db/pg', '10.1.0.6'], ['kube-system/coredns-1', '10.1.0.2']])
    expect(snapshot.namespaces.find((n) => n.name === 'np-abc123-shop')?.labels).toMatchObject({ team: 'blue', 'kubernetes.io/metadata.name': 'np-abc123-shop' })
    expect(snapshot.policies[0].spec.ingress![0].from![0].namespaceSelector?.matchLabels).toEqual({ 'kubernetes.io/metadata.name': 'np-abc123-shop', team: 'blue' })
  })
})
