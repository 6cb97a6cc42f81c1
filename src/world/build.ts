// Scenario and drill worlds on the cluster: namespaces and server pods created and awaited until
// Ready, the cluster DNS pods found, and the namespaces removed again.
import type { KubeClient, WireObject, WirePod } from '../kube/client.js'
import { pollUntil } from '../kube/poll.js'
import { DNS_LABELS, DNS_NAMESPACE, RUN_ID_LABEL } from '../model/cluster.js'
import { ClusterError } from '../model/errors.js'
import type { World } from '../scenario/model.js'
import { namespaceManifest, serverPodManifest, type LiveNames, type LivePod } from '../scenario/world.js'

export interface WorldOptions {
  image: string
  /** Seconds for service accounts to appear and server pods to become Ready. */
  startTimeout: number
}

const DNS_SELECTOR = Object.entries(DNS_LABELS).map(([k, v]) => `${k}=${v}`).join(',')

/** Creates the namespaces and server pods and waits until every server is Ready; returns pod IPs by short name. */
export async function createWorld(client: KubeClient, world: World, names: LiveNames, options: WorldOptions): Promise<Map<string, string[]>> {
  for (const ns of world.namespaces) await client.createObject(namespaceManifest(ns.name, ns.labels, names) as WireObject)
  // Pods are refused until the namespace's default service account exists.
  await pollUntil(options.startTimeout, 'the default service accounts', async () => {
    const found = await Promise.all(world.namespaces.map((ns) => client.readMetadata(serviceAccountRef(names.namespace(ns.name)))))
    return found.every(Boolean) || undefined
  })
  for (const pod of world.pods) await client.createObject(serverPodManifest(pod, names, options.image) as WireObject)
  return waitForServers(client, world, names, options.startTimeout)
}

function serviceAccountRef(namespace: string): WireObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } }
}

async function waitForServers(client: KubeClient, world: World, names: LiveNames, timeoutSeconds: number): Promise<Map<string, string[]>> {
  const selector = `${RUN_ID_LABEL}=${names.runId}`
  const keyOf = (pod: { namespace: string; name: string }) => `${names.namespace(pod.namespace)}/${pod.name}`
  let pending = world.pods.map((p) => p.id)
  return pollUntil(timeoutSeconds, () => `server pods Ready (still waiting: ${pending.join(', ')})`, async () => {
    const pods = (await Promise.all(world.namespaces.map((ns) => client.listPods(names.namespace(ns.name), selector)))).flat()
    const ready = new Map(pods.filter(isReady).map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, [p.status?.podIP ?? '']]))
    pending = world.pods.filter((p) => !ready.has(keyOf(p))).map((p) => p.id)
    return pending.length === 0 ? new Map(world.pods.map((p) => [p.id, ready.get(keyOf(p))!])) : undefined
  })
}

export function isReady(pod: WirePod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true && Boolean(pod.status?.podIP)
}

export async function clusterDnsPods(client: KubeClient): Promise<LivePod[]> {
  const pods = (await client.listPods(DNS_NAMESPACE, DNS_SELECTOR)).filter(isReady)
  if (pods.length === 0) throw new ClusterError(`the scenario uses the cluster DNS, but no Ready pod in ${DNS_NAMESPACE} has ${DNS_SELECTOR}`)
  return pods.map((p) => ({ namespace: p.metadata.namespace, name: p.metadata.name, labels: p.metadata.labels ?? {}, ips: [p.status!.podIP!] }))
}

export function namespaceRef(name: string): WireObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }
}

/** Starts deleting the namespaces (and so everything in them); returns without waiting. */
export async function removeNamespaces(client: KubeClient, namespaces: string[]): Promise<void> {
  await Promise.all(namespaces.map((name) => client.deleteObject(namespaceRef(name))))
}

/** Deletes the namespaces and waits until they are gone (a drill starts over in the same names). */
export async function deleteNamespaces(client: KubeClient, namespaces: string[], timeoutSeconds: number): Promise<void> {
  await removeNamespaces(client, namespaces)
  let remaining = namespaces
  await pollUntil(timeoutSeconds, () => `namespaces to be deleted (still there: ${remaining.join(', ')})`, async () => {
    const gone = await Promise.all(remaining.map(async (name) => (await client.readMetadata(namespaceRef(name))) === undefined))
    remaining = remaining.filter((_, i) => !gone[i])
    return remaining.length === 0 || undefined
  })
}
