// The world of issue 9, at any size: N namespaces, each with a `web` (TCP 80) and an `api`
// (TCP 8080) Deployment of one replica and one ingress policy on api (only web of the same
// namespace may reach it). Every pod is its own source class, so N namespaces give 2N sources and
// (2N)² checks. Namespaces have fixed names, so a world is grown and reused across runs; delete it
// with deleteScaleWorld.
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js'
import { apiStatus, E2E_LABEL, kubeClients, serverPod, waitFor } from './cluster.js'

export const SCALE_WORLD_LABEL = 'kubectl-netpol.e2e/scale-world'
const WORKLOADS = [{ name: 'web', port: 80 }, { name: 'api', port: 8080 }]

export function scaleNamespace(index: number): string {
  return `netpol-scale-${String(index).padStart(2, '0')}`
}

/** Makes namespaces 0..size-1 exist with their workloads and policy, and waits until every workload is ready. */
export async function ensureScaleWorld(size: number, options: { timeoutMs?: number } = {}): Promise<string[]> {
  const namespaces = Array.from({ length: size }, (_, i) => scaleNamespace(i))
  const existing = new Set((await kubeClients().core.listNamespace({ labelSelector: SCALE_WORLD_LABEL })).items
    .filter((n) => !n.metadata?.deletionTimestamp).map((n) => n.metadata!.name!))
  const missing = namespaces.filter((n) => !existing.has(n))
  for (let i = 0; i < missing.length; i += 10) await Promise.all(missing.slice(i, i + 10).map(createNamespaceWorld))
  await waitFor(async () => (await readyWorkloads(namespaces)) === namespaces.length * WORKLOADS.length,
    { timeoutMs: options.timeoutMs ?? 300_000, intervalMs: 2000, description: `${namespaces.length * WORKLOADS.length} scale-world workloads ready` })
  return namespaces
}

async function readyWorkloads(namespaces: string[]): Promise<number> {
  const wanted = new Set(namespaces)
  const deployments = await kubeClients().apps.listDeploymentForAllNamespaces({ labelSelector: SCALE_WORLD_LABEL })
  return deployments.items.filter((d) => wanted.has(d.metadata!.namespace!) && d.status?.readyReplicas === 1).length
}

async function createNamespaceWorld(namespace: string): Promise<void> {
  const { core, apps, net } = kubeClients()
  const labels = { [E2E_LABEL]: 'true', [SCALE_WORLD_LABEL]: 'true' }
  await core.createNamespace({ body: { metadata: { name: namespace, labels } } })
  await waitFor(async () => (await core.readNamespacedServiceAccount({ name: 'default', namespace })) !== undefined,
    { timeoutMs: 30_000, description: `service account default in ${namespace}` })
  for (const { name, port } of WORKLOADS) {
    const podLabels = { app: name }
    const template = serverPod({ namespace, name, port, labels: podLabels, portName: name })
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name, labels },
        spec: { replicas: 1, selector: { matchLabels: podLabels }, template: { metadata: { labels: podLabels }, spec: template.spec } },
      },
    })
  }
  // client-node's typed V1NetworkPolicy spells `from` as `_from`: the manifest goes through its serializer.
  await net.createNamespacedNetworkPolicy({
    namespace,
    body: ObjectSerializer.deserialize({
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'api-from-web' },
      spec: { podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }] },
    }, 'V1NetworkPolicy', ''),
  })
}

/** Deletes every namespace of the scale world and waits until they are gone. */
export async function deleteScaleWorld(timeoutMs = 300_000): Promise<void> {
  const { core } = kubeClients()
  const names = (await core.listNamespace({ labelSelector: SCALE_WORLD_LABEL })).items.map((n) => n.metadata!.name!)
  await Promise.all(names.map((name) => core.deleteNamespace({ name, gracePeriodSeconds: 0, propagationPolicy: 'Background' })
    .catch((e: unknown) => { if (apiStatus(e) !== 404) throw e })))
  await waitFor(async () => (await core.listNamespace({ labelSelector: SCALE_WORLD_LABEL })).items.length === 0,
    { timeoutMs, intervalMs: 2000, description: 'scale-world namespaces to be deleted' })
}
