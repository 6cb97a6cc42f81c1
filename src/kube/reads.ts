// Reading the cluster: snapshot lists, pods to poll, and access reviews.
import type * as k8s from '@kubernetes/client-node'
import type { AccessReview, ListedKind, ProbeOperations, SnapshotReads, WireObject, WirePod } from './client.js'
import type { Apis } from './apis.js'
import type { Send } from './request.js'
import { toWireJson } from './wire.js'

type Scope = { namespace?: string; labelSelector?: string }
type List = { items: object[] }

export function snapshotReads(apis: Apis, send: Send, defaultNamespace: string): SnapshotReads {
  return {
    defaultNamespace: async () => defaultNamespace,
    listObjects: async (kind, scope = {}) => {
      const list = await send(`list ${kind.toLowerCase()}s`, () => listRequest(apis, kind, scope))
      return list.items.map((item) => ({ ...toWireJson(item, `V1${kind}`), kind }) as WireObject)
    },
  }
}

function listRequest(apis: Apis, kind: ListedKind, { namespace, labelSelector }: Scope): Promise<List> {
  const { core, networking, batch, policy } = apis
  switch (kind) {
    case 'Namespace': return core.listNamespace({ labelSelector })
    case 'Node': return core.listNode({ labelSelector })
    case 'Pod': return namespace ? core.listNamespacedPod({ namespace, labelSelector }) : core.listPodForAllNamespaces({ labelSelector })
    case 'Service': return namespace ? core.listNamespacedService({ namespace, labelSelector }) : core.listServiceForAllNamespaces({ labelSelector })
    case 'NetworkPolicy': return namespace
      ? networking.listNamespacedNetworkPolicy({ namespace, labelSelector })
      : networking.listNetworkPolicyForAllNamespaces({ labelSelector })
    case 'Job': return namespace ? batch.listNamespacedJob({ namespace, labelSelector }) : batch.listJobForAllNamespaces({ labelSelector })
    case 'PodDisruptionBudget': return namespace
      ? policy.listNamespacedPodDisruptionBudget({ namespace, labelSelector })
      : policy.listPodDisruptionBudgetForAllNamespaces({ labelSelector })
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
