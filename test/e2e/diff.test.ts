// `diff` against the live cluster, then the rollout, then `probe --expect-diff`: the predicted change
// is what the enforcer does. Before the rollout the same check fails, so it cannot pass vacuously.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { clusterAvailable, createPodAndWait, createTestNamespace, deleteNamespace, kubeClients, policiesEnforced, serverPod } from './support/cluster.js'
import { runCli } from './support/cli.js'

interface World { x: string; y: string }

async function createWorld(): Promise<World> {
  const x = await createTestNamespace('diff-x', { role: 'x' })
  const y = await createTestNamespace('diff-y', { role: 'y' })
  const server = (namespace: string) => {
    const pod = serverPod({ namespace, name: 'a', port: 80, labels: { pod: 'a' } })
    pod.spec!.containers[0].command = ['bash', '-c', 'socat TCP-LISTEN:80,fork,reuseaddr SYSTEM:"echo hi" & socat TCP-LISTEN:81,fork,reuseaddr SYSTEM:"echo hi" & wait']
    pod.spec!.containers[0].ports = [80, 81].map((port) => ({ name: `serve-${port}`, containerPort: port, protocol: 'TCP' }))
    return createPodAndWait(pod)
  }
  await Promise.all([server(x), server(y)])
  await kubeClients().net.createNamespacedNetworkPolicy({ namespace: x, body: networkPolicy(allowFromY(x, [80, 81])) })
  return { x, y }
}

function allowFromY(x: string, ports: number[]) {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-from-y', namespace: x },
    spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { role: 'y' } } }], ports: ports.map((port) => ({ port })) }] },
  }
}

function denyAll(y: string) {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-all', namespace: y }, spec: { podSelector: {} } }
}

/** client-node's typed model spells `from` as `_from`: plain manifests go through its serializer. */
function networkPolicy(manifest: object) {
  return ObjectSerializer.deserialize(manifest, 'V1NetworkPolicy', '')
}

describe.runIf(clusterAvailable() && policiesEnforced())('diff, rollout, probe --expect-diff', () => {
  let world: World
  const dir = mkdtempSync(path.join(tmpdir(), 'netpol-diff-e2e-'))
  beforeAll(async () => { world = await createWorld() }, 180_000)
  afterAll(async () => { await Promise.all([deleteNamespace(world.x), deleteNamespace(world.y)]) }, 180_000)

  it('predicts the change on the live cluster, fails before the rollout, and is confirmed after it', async () => {
    const { x, y } = world
    // The change: x admits y on 81 only (80 lost), and y denies all ingress (x → y lost).
    const change = path.join(dir, 'change.yaml')
    writeFileSync(change, [allowFromY(x, [81]), denyAll(y)].map((m) => stringify(m)).join('---\n'))

    const diff = await runCli(['diff', '-n', x, '-n', y, '--apply', change, '-o', 'json', '--fail-on', 'lost'])
    expect(diff.code).toBe(1)
    const report = JSON.parse(diff.stdout)
    const lost = report.rows.map((r: { change: string; from: string[]; to: string[]; port: number }) => `${r.change} ${r.from.join(',')}->${r.to.join(',')}:${r.port}`).sort()
    expect(lost).toEqual([`lost ${x}/a->${y}/a:80`, `lost ${x}/a->${y}/a:81`, `lost ${y}/a->${x}/a:80`].sort())
    const predicted = path.join(dir, 'diff.json')
    writeFileSync(predicted, diff.stdout)

    const early = await runCli(['probe', '-n', x, '-n', y, '--expect-diff', predicted, '--settle', '2s', '-o', 'json'])
    expect(early.code).toBe(1)
    expect(JSON.parse(early.stdout).expectations.summary).toMatchObject({ checks: 3, violated: 3 })

    const { net } = kubeClients()
    await net.replaceNamespacedNetworkPolicy({ name: 'allow-from-y', namespace: x, body: networkPolicy(allowFromY(x, [81])) })
    await net.createNamespacedNetworkPolicy({ namespace: y, body: networkPolicy(denyAll(y)) })

    const confirmed = await runCli(['probe', '-n', x, '-n', y, '--expect-diff', predicted, '-o', 'json'])
    const probed = JSON.parse(confirmed.stdout)
    expect(probed.expectations.summary).toEqual({ checks: 3, pass: 3, violated: 0, unknown: 0 })
    expect(probed.results.filter((r: { verdict: string }) => r.verdict !== 'agree')).toEqual([])
    expect(confirmed.code).toBe(0)
  })
})
