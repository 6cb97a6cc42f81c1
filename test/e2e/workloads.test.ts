// `predict` on the live cluster names workloads as users do: the pods of a Deployment (through the
// ReplicaSet that owns them) and of a CronJob (through its Job) are one row each, and the names
// work in --from/--to. The owner chains are the ones the real controllers write.
import * as k8s from '@kubernetes/client-node'
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPodAndWait, createTestNamespace, deleteNamespace, kubeClients, netshootPod, runsEnforcerIndependentTests, serverPod, waitFor } from './support/cluster.js'
import { runCli } from './support/cli.js'

describe.runIf(runsEnforcerIndependentTests())('predict over workloads on the live cluster', () => {
  let ns = ''

  beforeAll(async () => {
    ns = await createTestNamespace('workloads')
    const { apps, core, kc, net } = kubeClients()
    const batch = kc.makeApiClient(k8s.BatchV1Api)
    const web = { app: 'web' }
    const server = serverPod({ namespace: ns, name: 'web', port: 8080, portName: 'http', labels: web })
    await apps.createNamespacedDeployment({ namespace: ns, body: { metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: web }, template: { metadata: { labels: web }, spec: server.spec } } } })
    // A suspended CronJob never runs on its own; the Job it owns here is what its controller would create.
    const sleeper = netshootPod({ namespace: ns, name: 'report', labels: { app: 'report' } }).spec!
    const cronJob = await batch.createNamespacedCronJob({ namespace: ns, body: { metadata: { name: 'report' }, spec: { schedule: '0 0 1 1 *', suspend: true, jobTemplate: { spec: { template: { spec: { ...sleeper, restartPolicy: 'Never' } } } } } } })
    await batch.createNamespacedJob({
      namespace: ns,
      body: {
        metadata: { name: 'report-29400000', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'report', uid: cronJob.metadata!.uid!, controller: true }] },
        spec: { template: { metadata: { labels: { app: 'report' } }, spec: { ...sleeper, restartPolicy: 'Never' } } },
      },
    })
    await createPodAndWait(netshootPod({ namespace: ns, name: 'debug', labels: { app: 'debug' } }))
    await net.createNamespacedNetworkPolicy({
      namespace: ns,
      body: ObjectSerializer.deserialize({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'web-from-report' }, spec: { podSelector: { matchLabels: web }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'report' } } }], ports: [{ port: 'http' }] }] } }, 'V1NetworkPolicy', ''),
    })
    await waitFor(async () => (await core.listNamespacedPod({ namespace: ns })).items.filter((p) => p.status?.phase === 'Running').length === 4 || undefined, { timeoutMs: 120_000, description: 'web ×2, report and debug running' })
  })

  afterAll(async () => {
    if (ns) await deleteNamespace(ns)
  })

  it('groups the Deployment and the CronJob pods and reports the matrix over them', async () => {
    const result = await runCli(['predict', '-n', ns, '--port', '8080', '-o', 'json'])
    expect(result.code).toBe(0)
    const report = JSON.parse(result.stdout)
    const sources = Object.fromEntries(report.sources.map((s: { id: string; kind: string; pods: string[] }) => [s.id, [s.kind, s.pods.length]]))
    expect(sources).toEqual({ [`${ns}/web`]: ['Deployment', 2], [`${ns}/report`]: ['CronJob', 1], [`${ns}/debug`]: ['Pod', 1] })
    const toWeb = Object.fromEntries(report.matrix.map((r: { from: string; allowed: string[] }) => [r.from, r.allowed.includes(`${ns}/web`)]))
    expect(toWeb).toEqual({ [`${ns}/web`]: false, [`${ns}/report`]: true, [`${ns}/debug`]: false })
  })

  it('takes kind/name in --from and --to, and prints the workloads in the default table', async () => {
    const result = await runCli(['predict', '-n', ns, '--port', '8080', '--from', 'cronjob/report', '--from', `${ns}/debug`, '--to', 'deploy/web'], { env: { COLUMNS: '80' } })
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(new RegExp(`^${ns}/report +\\. *$`, 'm'))
    expect(result.stdout).toMatch(new RegExp(`^${ns}/debug +X *$`, 'm'))
    expect(result.stdout).toMatch(new RegExp(`^${ns}/web +Deployment +2 +\\d+$`, 'm'))
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('1 allowed, 1 denied workload pairs (pod pairs: 2 allowed, 2 denied)')
  })
})
