// The live edge of the snapshot: read the cluster through the KubeClient and feed the objects
// through the same conversion and validation as manifest files.
import type { ClusterPolicyKind, KubeClient, WireObject } from '../kube/client.js'
import type { ClusterSnapshot, UnevaluatedPolicy } from '../model/cluster.js'
import { statusOf } from '../kube/errors.js'
import { PROBE_SOURCE_ANNOTATION } from '../model/cluster.js'
import { snapshotFromObjects, type ManifestDocument } from './objects.js'
import { controllerKey, controllerOf, type ControllerOwners } from './owners.js'

export interface LiveScope {
  /** Namespaces whose pods, policies and services are read; empty means the context's namespace. */
  namespaces: string[]
  allNamespaces: boolean
  /** kubectl label selector applied to pods, e.g. `app=web,tier!=db`. */
  labelSelector?: string
}

const SOURCE = 'cluster'

/** Cluster-scoped policies apply whatever namespaces were asked for, so they are always read. */
const CLUSTER_POLICY_KINDS: ClusterPolicyKind[] = ['AdminNetworkPolicy', 'BaselineAdminNetworkPolicy', 'ClusterNetworkPolicy']

export async function loadSnapshotFromCluster(client: KubeClient, scope: LiveScope): Promise<ClusterSnapshot> {
  const defaultNamespace = await client.defaultNamespace()
  const namespaces = scopeNamespaces(scope, defaultNamespace)
  const perNamespace = async (namespace?: string) => (await Promise.all([
    client.listObjects('Pod', { namespace, labelSelector: scope.labelSelector }).then((pods) => pods.filter(isWorkloadPod)),
    client.listObjects('NetworkPolicy', { namespace }),
    client.listObjects('Service', { namespace }),
  ])).flat()
  // Jobs only name the CronJob that runs their pods: without the right to list them, pods name the Job.
  const jobs = (namespace?: string) => client.listObjects('Job', { namespace }).catch(() => [])
  const [namespaceObjects, nodes, jobLists, clusterPolicies, ...perScope] = await Promise.all([
    client.listObjects('Namespace'),
    client.listObjects('Node').catch(() => []),
    Promise.all((namespaces ?? [undefined]).map(jobs)),
    Promise.all(CLUSTER_POLICY_KINDS.map(readClusterPolicies(client))),
    ...(namespaces ?? [undefined]).map(perNamespace),
  ])
  const objects = [...namespaceObjects, ...nodes, ...clusterPolicies.flatMap((c) => c.objects), ...perScope.flat()]
  const docs: ManifestDocument[] = objects.map((object, index) => ({ file: SOURCE, index, object }))
  const read = snapshotFromObjects(docs, { defaultNamespace, owners: jobOwners(jobLists.flat()) })
  const unreadable = clusterPolicies.flatMap((c) => c.unreadable)
  const snapshot = unreadable.length > 0 ? { ...read, unevaluatedPolicies: [...(read.unevaluatedPolicies ?? []), ...unreadable] } : read
  return namespaces || scope.labelSelector ? { ...snapshot, podScope: { namespaces, labelSelector: scope.labelSelector } } : snapshot
}

/** A kind the user may not list is no failure, but the prediction then ignores it: lint says so. */
function readClusterPolicies(client: KubeClient) {
  return async (kind: ClusterPolicyKind): Promise<{ objects: WireObject[]; unreadable: UnevaluatedPolicy[] }> => {
    try {
      return { objects: await client.listObjects(kind), unreadable: [] }
    } catch (error) {
      if (statusOf(error) !== 403) throw error
      return { objects: [], unreadable: [{ policy: `${kind} (all)`, reason: `listing them is forbidden; grant get/list on ${kind.toLowerCase().replace(/y$/, 'ies')}.policy.networking.k8s.io (deploy/rbac.yaml)` }] }
    }
  }
}

function jobOwners(jobs: WireObject[]): ControllerOwners {
  const owners: ControllerOwners = new Map()
  for (const job of jobs) {
    const owner = controllerOf(job)
    if (owner && job.metadata.namespace && job.metadata.name) owners.set(controllerKey('Job', job.metadata.namespace, job.metadata.name), owner)
  }
  return owners
}

/** undefined means every namespace. */
function scopeNamespaces(scope: LiveScope, defaultNamespace: string): string[] | undefined {
  if (scope.allNamespaces) return undefined
  return scope.namespaces.length > 0 ? scope.namespaces : [defaultNamespace]
}

/** Finished pods have no network, and probe pods are not workloads (scenario world pods are). */
function isWorkloadPod(pod: WireObject): boolean {
  const { status, metadata } = pod as { status?: { phase?: string }; metadata: { annotations?: Record<string, string> } }
  return status?.phase !== 'Succeeded' && status?.phase !== 'Failed' && !(metadata.annotations && PROBE_SOURCE_ANNOTATION in metadata.annotations)
}
