// Creating, changing and removing objects: the run's labelled pods, ConfigMaps and Deployments, world
// namespaces, pods and policies.
import * as k8s from '@kubernetes/client-node'
import type { LabelledObject, ObjectRef, ObjectWrites, ProbeOperations, WireObject } from './client.js'
import type { Apis } from './apis.js'
import { statusOf } from './errors.js'
import type { Send } from './request.js'
import { typed } from './wire.js'

type Read = Parameters<k8s.KubernetesObjectApi['read']>[0]

export function objectWrites(apis: Apis, send: Send): ObjectWrites & Pick<ProbeOperations, 'addEphemeralContainer'> {
  const { objects } = apis
  return {
    createObject: async (manifest) => refOf(await send(`create ${describe(manifest)}`, () => objects.create(typed(manifest)), { idempotent: false })),
    replaceObject: async (manifest) => {
      await send(`replace ${describe(manifest)}`, () => objects.replace(typed(manifest)), { idempotent: false })
    },
    deleteObject: async (object) => {
      await send(`delete ${describe(object)}`, () => objects.delete(typed(object), undefined, undefined, 0, undefined, 'Background')).catch(ignoreNotFound)
    },
    patchLabels: async (object, labels) => {
      const patch = { apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, namespace: object.metadata.namespace, labels } }
      await send(`label ${describe(object)}`, () => objects.patch(patch as k8s.KubernetesObject, undefined, undefined, undefined, undefined, k8s.PatchStrategy.MergePatch))
    },
    readMetadata: async (object) => {
      const found = await send(`read ${describe(object)}`, () => objects.read(typed(object) as Read)).catch((error: unknown) => ignoreNotFound(error))
      return found ? { labels: found.metadata?.labels ?? {}, deleting: Boolean(found.metadata?.deletionTimestamp) } : undefined
    },
    ...labelledObjects(apis, send),
    addEphemeralContainer: ephemeralContainers(apis, send),
  }
}

function labelledObjects(apis: Apis, send: Send): Pick<ObjectWrites, 'findLabelled' | 'deleteLabelled'> {
  const { core, apps } = apis
  return {
    findLabelled: async (labelSelector) => {
      const [pods, configMaps, deployments] = await Promise.all([
        send('list pods', () => core.listPodForAllNamespaces({ labelSelector })),
        send('list configmaps', () => core.listConfigMapForAllNamespaces({ labelSelector })),
        send('list deployments', () => apps.listDeploymentForAllNamespaces({ labelSelector })),
      ])
      return [
        ...pods.items.map((o) => labelled(o, 'Pod')), ...configMaps.items.map((o) => labelled(o, 'ConfigMap')),
        ...deployments.items.map((o) => labelled(o, 'Deployment')),
      ]
    },
    deleteLabelled: async (namespace, labelSelector) => {
      await send(`delete probe pods in ${namespace}`, () => core.deleteCollectionNamespacedPod({ namespace, labelSelector, gracePeriodSeconds: 0 }))
      await send(`delete probe pod owners in ${namespace}`, () => apps.deleteCollectionNamespacedDeployment({ namespace, labelSelector, propagationPolicy: 'Background' }))
      await send(`delete run objects in ${namespace}`, () => core.deleteCollectionNamespacedConfigMap({ namespace, labelSelector, propagationPolicy: 'Background' }))
    },
  }
}

function ephemeralContainers(apis: Apis, send: Send): ProbeOperations['addEphemeralContainer'] {
  return async (namespace, name, container) => {
    // A strategic-merge patch of the same container is a no-op when resent.
    await send(`add ephemeral container to ${namespace}/${name}`, () => apis.core.patchNamespacedPodEphemeralcontainers(
      { namespace, name, body: { spec: { ephemeralContainers: [container] } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    ))
  }
}

type Meta = { metadata?: { namespace?: string; name?: string; uid?: string; labels?: Record<string, string> } }

function refOf(o: Meta): ObjectRef {
  return { namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '', uid: o.metadata?.uid ?? '' }
}

function labelled(o: Meta, kind: LabelledObject['kind']): LabelledObject {
  return { ...refOf(o), kind, labels: o.metadata?.labels ?? {} }
}

function describe(o: WireObject): string {
  return `${o.kind.toLowerCase()} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name ?? o.metadata.generateName ?? ''}`
}

function ignoreNotFound(error: unknown): undefined {
  if (statusOf(error) !== 404) throw error
  return undefined
}
