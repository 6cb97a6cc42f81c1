// Reading the cluster: snapshot lists, pods to poll, and access reviews.
import type * as k8s from '@kubernetes/client-node'
import type { AccessReview, ClusterPolicyKind, ListedKind, ProbeOperations, SnapshotReads, WireObject, WirePod } from './client.js'
import type { Apis } from './apis.js'
import { statusOf } from './errors.js'
import type { Send } from './request.js'
import { toWireJson } from './wire.js'

type Scope = { namespace?: string; labelSelector?: string }
type List = { items: object[] }

export function snapshotReads(apis: Apis, send: Send, defaultNamespace: string): SnapshotReads {
  let served: Promise<Set<string>> | undefined
  // Discovery is open to every authenticated user: a cluster without the CRDs costs no 403. An
  // answer without groups (a proxy or stand-in server) means none are served.
  const servedVersions = () => served ??= send('discover API groups', () => apis.discovery.getAPIVersions())
    .then((list) => new Set((list.groups ?? []).filter((g) => g.name === POLICY_GROUP).flatMap((g) => (g.versions ?? []).map((v) => v.version))))
  return {
    defaultNamespace: async () => defaultNamespace,
    listObjects: async (kind, scope = {}) => {
      if (kind in CLUSTER_POLICY_KINDS) return listClusterPolicies(apis, send, kind as ClusterPolicyKind, await servedVersions())
      const list = await send(`list ${kind.toLowerCase()}s`, () => listRequest(apis, kind as Exclude<ListedKind, ClusterPolicyKind>, scope))
      return list.items.map((item) => ({ ...toWireJson(item, `V1${kind}`), kind }) as WireObject)
    },
  }
}

const CLUSTER_POLICY_KINDS: Record<ClusterPolicyKind, { version: string; plural: string }> = {
  AdminNetworkPolicy: { version: 'v1alpha1', plural: 'adminnetworkpolicies' },
  BaselineAdminNetworkPolicy: { version: 'v1alpha1', plural: 'baselineadminnetworkpolicies' },
  ClusterNetworkPolicy: { version: 'v1alpha2', plural: 'clusternetworkpolicies' },
}

const POLICY_GROUP = 'policy.networking.k8s.io'

/** Custom resources: a version the server does not serve (no CRD), or a 404, means there are none. */
async function listClusterPolicies(apis: Apis, send: Send, kind: ClusterPolicyKind, served: Set<string>): Promise<WireObject[]> {
  const { version, plural } = CLUSTER_POLICY_KINDS[kind]
  if (!served.has(version)) return []
  try {
    const list = await send(`list ${plural}`, () => apis.custom.listClusterCustomObject({ group: POLICY_GROUP, version, plural })) as List
    return list.items.map((item) => ({ apiVersion: `${POLICY_GROUP}/${version}`, ...item, kind }) as WireObject)
  } catch (error) {
    if (statusOf(error) === 404) return []
    throw error
  }
}

function listRequest(apis: Apis, kind: Exclude<ListedKind, ClusterPolicyKind>, { namespace, labelSelector }: Scope): Promise<List> {
  const { core, networking, batch } = apis
  switch (kind) {
    case 'Namespace': return core.listNamespace({ labelSelector })
    case 'Node': return core.listNode({ labelSelector })
    case 'Pod': return namespace ? core.listNamespacedPod({ namespace, labelSelector }) : core.listPodForAllNamespaces({ labelSelector })
    case 'Service': return namespace ? core.listNamespacedService({ namespace, labelSelector }) : core.listServiceForAllNamespaces({ labelSelector })
    case 'NetworkPolicy': return namespace
      ? networking.listNamespacedNetworkPolicy({ namespace, labelSelector })
      : networking.listNetworkPolicyForAllNamespaces({ labelSelector })
    case 'Job': return namespace ? batch.listNamespacedJob({ namespace, labelSelector }) : batch.listJobForAllNamespaces({ labelSelector })
  }
}

export function probeReads(apis: Apis, send: Send): Pick<ProbeOperations, 'listPods'> {
  return {
    listPods: async (namespace, labelSelector) => {
      const list = await send('list pods', () => listRequest(apis, 'Pod', { namespace, labelSelector: labelSelector || undefined }))
      return list.items.map((pod) => toWireJson(pod, 'V1Pod') as WirePod)
    },
  }
}

export function accessReview(apis: Apis, send: Send): AccessReview {
  return {
    canI: async (attributes) => {
      const review = await send('check permissions', () => apis.authorization.createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: attributes } } as k8s.V1SelfSubjectAccessReview,
      }))
      return review.status?.allowed === true
    },
  }
}
