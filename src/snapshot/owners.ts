// Which workload runs a pod. A pod's controller ownerReference names its ReplicaSet or Job; users
// think of the Deployment or CronJob above it. The input says so when it holds the ReplicaSet or
// Job (their own controller ownerReference); otherwise a ReplicaSet whose name is the pod's
// `pod-template-hash` label appended to a name was made by the Deployment of that name, as the
// Deployment controller names them.
import type { Pod } from '../model/cluster.js'
import { isObject, type Json } from './located.js'

export interface OwnerRef {
  kind: string
  name: string
}

/** The controller ownerReference of an object, if it has one (a mirror pod's Node owner is not a workload). */
export function controllerOf(object: Json): OwnerRef | undefined {
  const metadata = object.metadata
  if (!isObject(metadata) || !Array.isArray(metadata.ownerReferences)) return undefined
  const controller = metadata.ownerReferences.find((ref): ref is Json => isObject(ref) && ref.controller === true)
  if (!controller || typeof controller.kind !== 'string' || typeof controller.name !== 'string' || controller.kind === 'Node') return undefined
  return { kind: controller.kind, name: controller.name }
}

export function podOwner(object: Json, labels: Pod['labels']): OwnerRef | undefined {
  const owner = controllerOf(object)
  const hash = labels['pod-template-hash']
  if (owner?.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`) && owner.name.length > hash.length + 1) {
    return { kind: 'Deployment', name: owner.name.slice(0, -hash.length - 1) }
  }
  return owner
}

/** Controllers the input holds, by `Kind namespace/name`: what owns each (e.g. the CronJob of a Job). */
export type ControllerOwners = Map<string, OwnerRef>

export function controllerKey(kind: string, namespace: string, name: string): string {
  return `${kind} ${namespace}/${name}`
}

/** The pod with its owner's owner, when the input holds that owner (a Job of a CronJob, a ReplicaSet of a Deployment). */
export function withWorkloadOwner(pod: Pod, owners: ControllerOwners): Pod {
  const above = pod.owner && owners.get(controllerKey(pod.owner.kind, pod.namespace, pod.owner.name))
  return above ? { ...pod, owner: above } : pod
}
