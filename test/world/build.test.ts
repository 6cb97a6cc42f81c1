// Building scenario and drill worlds over the in-memory FakeKube (test/support/fake-kube.ts): the
// fake exists for the waiting logic and for faults a real cluster cannot produce on demand (a
// server that never gets Ready, a list that fails once, a namespace that takes its time to go).
// test/e2e/scenario.test.ts and test/e2e/drill.test.ts are the proof against a real cluster.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RUN_ID_LABEL } from '../../src/model/cluster.js'
import { parseScenario } from '../../src/scenario/schema.js'
import { stepStates } from '../../src/scenario/state.js'
import { liveNames, SCENARIO_NAMESPACE_LABEL } from '../../src/scenario/world.js'
import { clusterDnsPods, createWorld, deleteNamespaces } from '../../src/world/build.js'
import { applyStep } from '../../src/world/steps.js'
import { FakeKube, runningStatus, waitingStatus } from '../support/fake-kube.js'

const names = liveNames('abc123')
const SCENARIO = parseScenario(`
name: w
description: d
world:
  namespaces: {shop: {team: blue}, db: {}}
  pods:
    shop/web: {labels: {app: web}, ports: [80]}
    db/pg: {labels: {app: pg}, ports: [5432]}
steps:
  - name: deny
    apply:
      - metadata: {name: deny, namespace: db}
        spec: {podSelector: {}, policyTypes: [Ingress]}
  - name: allow web
    apply:
      - metadata: {name: deny, namespace: db}
        spec: {podSelector: {}, ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]}
    label: [{pod: shop/web, set: {tier: front}, remove: [app]}, {namespace: db, set: {env: prod}}]
  - name: open
    delete: [db/deny]
    expect: []
`, 'w.yaml')
const OPTIONS = { image: 'img:1', startTimeout: 5 }
const ipOf = (name: string) => (name === 'web' ? '198.18.0.11' : '198.18.0.12')

afterEach(() => { vi.useRealTimers() })

async function withTimers<T>(run: () => Promise<T>): Promise<T> {
  vi.useFakeTimers()
  const result = run()
  result.catch(() => {})
  await vi.runAllTimersAsync()
  return result
}

describe('creating a world on the cluster', () => {
  it('creates the prefixed, labelled namespaces and the servers, waits until each is Ready, and returns their addresses', async () => {
    const kube = new FakeKube()
    kube.podStatus = (pod, looks) => (looks < 2 ? waitingStatus('ContainerCreating', undefined, 'server') : runningStatus(ipOf(pod.metadata.name!)))
    const ips = await withTimers(() => createWorld(kube, SCENARIO.world, names, OPTIONS))
    expect(ips).toEqual(new Map([['shop/web', ['198.18.0.11']], ['db/pg', ['198.18.0.12']]]))
    expect(kube.ofKind('Namespace').map((n) => [n.metadata.name, n.metadata.labels])).toEqual([
      ['np-abc123-shop', { team: 'blue', [RUN_ID_LABEL]: 'abc123', [SCENARIO_NAMESPACE_LABEL]: 'shop' }],
      ['np-abc123-db', { [RUN_ID_LABEL]: 'abc123', [SCENARIO_NAMESPACE_LABEL]: 'db' }],
    ])
    expect(kube.ofKind('Pod').map((p) => `${p.metadata.namespace}/${p.metadata.name}`)).toEqual(['np-abc123-shop/web', 'np-abc123-db/pg'])
  })

  it('waits for the default service accounts (pods are refused before them), also through a failed look', async () => {
    const kube = new FakeKube()
    kube.serviceAccountDelayReads = 3
    kube.failWhen('readMetadata', ([ref]) => (ref as { kind: string }).kind === 'ServiceAccount', FakeKube.transient('read serviceaccount default: service unavailable (HTTP 503)'))
    await expect(withTimers(() => createWorld(kube, SCENARIO.world, names, OPTIONS))).resolves.toHaveProperty('size', 2)
    expect(kube.ofKind('ServiceAccount')).toHaveLength(2)
  })

  it('a transient failure while waiting for the servers is retried, not the end of the run', async () => {
    const kube = new FakeKube()
    kube.failNext('listPods', FakeKube.transient())
    await expect(withTimers(() => createWorld(kube, SCENARIO.world, names, OPTIONS))).resolves.toHaveProperty('size', 2)
  })

  it('times out naming the servers that never got Ready', async () => {
    const kube = new FakeKube()
    kube.podStatus = (pod) => (pod.metadata.name === 'pg' ? waitingStatus('ImagePullBackOff', undefined, 'server') : runningStatus())
    await expect(withTimers(() => createWorld(kube, SCENARIO.world, names, OPTIONS)))
      .rejects.toThrow('timed out after 5s waiting for server pods Ready (still waiting: db/pg)')
  })

  it('a world using the cluster DNS needs a Ready CoreDNS pod', async () => {
    const kube = new FakeKube()
    await expect(clusterDnsPods(kube)).rejects.toThrow(/no Ready pod in kube-system has k8s-app=kube-dns/)
    kube.add({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'coredns-1', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } } })
    kube.podStatus = () => runningStatus('198.18.0.53')
    expect(await clusterDnsPods(kube)).toEqual([{ namespace: 'kube-system', name: 'coredns-1', labels: { 'k8s-app': 'kube-dns' }, ips: ['198.18.0.53'] }])
  })
})

describe('playing the steps', () => {
  it('creates, replaces and deletes policies and patches labels, one step after the other', async () => {
    const kube = new FakeKube()
    await withTimers(() => createWorld(kube, SCENARIO.world, names, OPTIONS))
    const states = stepStates(SCENARIO)
    const initial = { namespaces: SCENARIO.world.namespaces, pods: SCENARIO.world.pods, policies: [] }
    await applyStep(kube, SCENARIO.world, initial, states[0], names)
    expect(kube.ofKind('NetworkPolicy').map((p) => [p.metadata.namespace, p.metadata.name, p.metadata.labels])).toEqual([['np-abc123-db', 'deny', { [RUN_ID_LABEL]: 'abc123' }]])

    await applyStep(kube, SCENARIO.world, states[0], states[1], names)
    expect(kube.calls.filter((c) => c.method === 'replaceObject')).toHaveLength(1)
    expect(kube.ofKind('NetworkPolicy')[0].spec).toMatchObject({ ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }] })
    expect(kube.ofKind('Pod').find((p) => p.metadata.name === 'web')!.metadata.labels).toEqual({ tier: 'front', [RUN_ID_LABEL]: 'abc123' })
    expect(kube.ofKind('Namespace').find((n) => n.metadata.name === 'np-abc123-db')!.metadata.labels).toMatchObject({ env: 'prod' })

    await applyStep(kube, SCENARIO.world, states[1], states[2], names)
    expect(kube.ofKind('NetworkPolicy')).toEqual([])
  })
})

describe('tearing a world down', () => {
  it('waits until terminating namespaces are gone', async () => {
    const kube = new FakeKube()
    kube.namespaceTerminatingReads = 3
    await withTimers(() => createWorld(kube, SCENARIO.world, names, OPTIONS))
    await withTimers(() => deleteNamespaces(kube, ['np-abc123-shop', 'np-abc123-db'], 10))
    expect(kube.objects.size).toBe(0)
    expect(kube.calls.filter((c) => c.method === 'readMetadata' && (c.args[0] as { kind: string }).kind === 'Namespace').length).toBeGreaterThanOrEqual(8)
  })

  it('names the namespaces still there when the time is up', async () => {
    const kube = new FakeKube()
    kube.namespaceTerminatingReads = 1000
    await withTimers(() => createWorld(kube, SCENARIO.world, names, OPTIONS))
    await expect(withTimers(() => deleteNamespaces(kube, ['np-abc123-db'], 2))).rejects.toThrow('timed out after 2s waiting for namespaces to be deleted (still there: np-abc123-db)')
  })
})
