// Reading a live snapshot through the KubeClient, over the in-memory FakeKube
// (test/support/fake-kube.ts): the fake exists to hold pods in states a test cluster has only by
// chance (finished pods, another run's probe pods). test/e2e/probe.test.ts ("live predict reads
// the same world") is the proof against a real cluster.
import { describe, expect, it } from 'vitest'
import { PROBE_SOURCE_ANNOTATION } from '../../src/model/cluster.js'
import { loadSnapshotFromCluster } from '../../src/snapshot/live.js'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import { lint, lintScopeOf } from '../../src/evaluate/lint.js'
import { ClusterError } from '../../src/model/errors.js'
import { FakeKube } from '../support/fake-kube.js'

const pod = (namespace: string, name: string, extra: { phase?: string; annotations?: Record<string, string>; labels?: Record<string, string> } = {}) => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace, labels: extra.labels ?? { app: name }, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
  spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] },
  status: { phase: extra.phase ?? 'Running', podIP: '198.18.0.9' },
})

function cluster(): FakeKube {
  return new FakeKube('shop').add(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop' } } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'db', labels: { 'kubernetes.io/metadata.name': 'db' } } },
    pod('shop', 'web'), pod('shop', 'job', { phase: 'Succeeded' }), pod('shop', 'netpol-probe-x', { annotations: { [PROBE_SOURCE_ANNOTATION]: 'shop/web' } }),
    pod('db', 'pg'),
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'db' }, spec: { podSelector: {} } },
  )
}

describe('live snapshot', () => {
  it('reads the context namespace by default, without finished pods or probe pods', async () => {
    const snapshot = await loadSnapshotFromCluster(cluster(), { namespaces: [], allNamespaces: false })
    expect(snapshot.pods.map((p) => `${p.namespace}/${p.name}`)).toEqual(['shop/web'])
    expect(snapshot.namespaces.map((n) => n.name)).toEqual(['shop', 'db'])
    expect(snapshot.podScope).toEqual({ namespaces: ['shop'], labelSelector: undefined })
  })

  it('-A reads every namespace, and a node list it may not read is no failure', async () => {
    const kube = cluster().failWhen('listObjects', ([kind]) => kind === 'Node', new Error('list nodes: permission denied (403): nodes is forbidden'))
    const snapshot = await loadSnapshotFromCluster(kube, { namespaces: [], allNamespaces: true })
    expect(snapshot.pods.map((p) => `${p.namespace}/${p.name}`).sort()).toEqual(['db/pg', 'shop/web'])
    expect(snapshot.policies.map((p) => `${p.namespace}/${p.name}`)).toEqual(['db/deny'])
    expect(snapshot.podScope).toBeUndefined()
  })

  it('reads the cluster-scoped admin policies whatever namespaces were asked for', async () => {
    const kube = cluster().add({
      apiVersion: 'policy.networking.k8s.io/v1alpha1', kind: 'AdminNetworkPolicy', metadata: { name: 'deny-db' },
      spec: { priority: 5, subject: { namespaces: {} }, egress: [{ action: 'Deny', to: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'db' } } }] }] },
    })
    const snapshot = await loadSnapshotFromCluster(kube, { namespaces: ['shop'], allNamespaces: false })
    expect(snapshot.clusterPolicies?.map((p) => `${p.tier}/${p.name}`)).toEqual(['admin/deny-db'])
    expect(kube.calls.filter((c) => c.method === 'listObjects').map((c) => c.args[0])).toEqual(expect.arrayContaining(['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy']))
  })

  it('an admin policy kind the user may not list is no failure, but a lint warning (the 403 of an API server, faked)', async () => {
    const forbidden = Object.assign(new ClusterError('list adminnetworkpolicies: permission denied (403)'), { status: 403 })
    const kube = cluster().failWhen('listObjects', ([kind]) => kind === 'AdminNetworkPolicy', forbidden)
    const snapshot = await loadSnapshotFromCluster(kube, { namespaces: [], allNamespaces: true })
    expect(snapshot.pods.length).toBe(2)
    const warnings = lint(createEvaluator(snapshot), lintScopeOf(snapshot))
    expect(warnings.filter((w) => w.code === 'policy-not-evaluated').map((w) => w.message)).toEqual([
      'AdminNetworkPolicy (all) is not evaluated (listing them is forbidden; grant get/list on adminnetworkpolicies.policy.networking.k8s.io (deploy/rbac.yaml)): the prediction ignores it, and the enforcer may not',
    ])
  })

  it('a Job list it may not read is no failure: the pods of a CronJob then name their Job', async () => {
    const owned = { ...pod('shop', 'report-29400000-q7w2z'), metadata: { name: 'report-29400000-q7w2z', namespace: 'shop', labels: { app: 'report' }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'report-29400000', uid: 'u1', controller: true }] } }
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'report-29400000', namespace: 'shop', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'report', uid: 'u2', controller: true }] }, spec: {} }
    const readable = await loadSnapshotFromCluster(cluster().add(owned, job), { namespaces: [], allNamespaces: false })
    expect(readable.pods.find((p) => p.name === owned.metadata.name)?.owner).toEqual({ kind: 'CronJob', name: 'report' })
    const kube = cluster().add(owned, job).failWhen('listObjects', ([kind]) => kind === 'Job', new Error('list jobs: permission denied (403): jobs.batch is forbidden'))
    const forbidden = await loadSnapshotFromCluster(kube, { namespaces: [], allNamespaces: false })
    expect(forbidden.pods.find((p) => p.name === owned.metadata.name)?.owner).toEqual({ kind: 'Job', name: 'report-29400000' })
  })
})
