// The live edge of the snapshot: read the cluster through the KubeClient and feed the objects
// through the same conversion and validation as manifest files.
import type { ClusterSnapshot } from '../model/cluster.js'
import { PROBE_SOURCE_ANNOTATION } from '../model/cluster.js'
import { toWireJson, type KubeClient } from '../kube/client.js'
import { snapshotFromObjects, type ManifestDocument } from './objects.js'

export interface LiveScope {
  /** Namespaces whose pods, policies and services are read; empty means the context's namespace. */
  namespaces: string[]
  allNamespaces: boolean
  /** kubectl label selector applied to pods, e.g. `app=web,tier!=db`. */
  labelSelector?: string
}

const SOURCE = 'cluster'

export async function loadSnapshotFromCluster(client: KubeClient, scope: LiveScope): Promise<ClusterSnapshot> {
  const namespaces = scopeNamespaces(client, scope)
  const [nsList, nodeList] = await Promise.all([
    client.call('list namespaces', () => client.core.listNamespace()),
    client.call('list nodes', () => client.core.listNode()).catch(() => ({ items: [] })),
  ])
  const perNamespace = async (namespace?: string) => Promise.all([
    client.call('list pods', () => namespace
      ? client.core.listNamespacedPod({ namespace, labelSelector: scope.labelSelector })
      : client.core.listPodForAllNamespaces({ labelSelector: scope.labelSelector })),
    client.call('list networkpolicies', () => namespace
      ? client.networking.listNamespacedNetworkPolicy({ namespace })
      : client.networking.listNetworkPolicyForAllNamespaces()),
    client.call('list services', () => namespace
      ? client.core.listNamespacedService({ namespace })
      : client.core.listServiceForAllNamespaces()),
  ])
  const lists = namespaces ? await Promise.all(namespaces.map(perNamespace)) : [await perNamespace()]
  const objects = [
    ...withKind('Namespace', nsList.items),
    ...withKind('Node', nodeList.items),
    ...lists.flatMap(([pods, policies, services]) => [
      ...withKind('Pod', pods.items.filter(isWorkloadPod)),
      ...withKind('NetworkPolicy', policies.items),
      ...withKind('Service', services.items),
    ]),
  ]
  const docs: ManifestDocument[] = objects.map((object, index) => ({ file: SOURCE, index, object }))
  const snapshot = snapshotFromObjects(docs, { defaultNamespace: client.defaultNamespace })
  return namespaces || scope.labelSelector ? { ...snapshot, podScope: { namespaces, labelSelector: scope.labelSelector } } : snapshot
}

/** undefined means every namespace. */
function scopeNamespaces(client: KubeClient, scope: LiveScope): string[] | undefined {
  if (scope.allNamespaces) return undefined
  return scope.namespaces.length > 0 ? scope.namespaces : [client.defaultNamespace]
}

/** Finished pods have no network, and probe pods are not workloads (scenario world pods are). */
function isWorkloadPod(pod: { status?: { phase?: string }; metadata?: { annotations?: Record<string, string> } }): boolean {
  const phase = pod.status?.phase
  return phase !== 'Succeeded' && phase !== 'Failed' && !(pod.metadata?.annotations && PROBE_SOURCE_ANNOTATION in pod.metadata.annotations)
}

function withKind(kind: string, items: object[]): object[] {
  return items.map((item) => ({ ...toWireJson(item, `V1${kind}`), kind }))
}
