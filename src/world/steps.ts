// Bringing a live world from one scenario step's state to the next.
import type { KubeClient, WireObject } from '../kube/client.js'
import type { NetworkPolicy } from '../model/cluster.js'
import type { World } from '../scenario/model.js'
import { policyName, type StepState } from '../scenario/state.js'
import { policyManifest, type LiveNames } from '../scenario/world.js'

/** Policies deleted, created or replaced, then namespace and pod labels patched. */
export async function applyStep(client: KubeClient, world: World, from: StepState, to: StepState, names: LiveNames): Promise<void> {
  await applyPolicies(client, world, from.policies, to.policies, names)
  for (const [i, ns] of to.namespaces.entries()) {
    const change = labelChange(from.namespaces[i].labels, ns.labels)
    if (change) await client.patchLabels({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: names.namespace(ns.name) } }, change)
  }
  for (const [i, pod] of to.pods.entries()) {
    const change = labelChange(from.pods[i].labels, pod.labels)
    if (change) await client.patchLabels({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pod.name, namespace: names.namespace(pod.namespace) } }, change)
  }
}

async function applyPolicies(client: KubeClient, world: World, from: NetworkPolicy[], to: NetworkPolicy[], names: LiveNames): Promise<void> {
  const worldNamespaces = world.namespaces.map((n) => n.name)
  const manifest = (p: NetworkPolicy) => policyManifest(p, names, worldNamespaces) as WireObject
  const before = new Map(from.map((p) => [policyName(p), p]))
  const after = new Map(to.map((p) => [policyName(p), p]))
  for (const [name, policy] of before) if (!after.has(name)) await client.deleteObject(manifest(policy))
  for (const [name, policy] of after) {
    const old = before.get(name)
    if (!old) await client.createObject(manifest(policy))
    else if (JSON.stringify(old) !== JSON.stringify(policy)) await client.replaceObject(manifest(policy))
  }
}

function labelChange(before: Record<string, string>, after: Record<string, string>): Record<string, string | null> | undefined {
  const change: Record<string, string | null> = {}
  for (const key of Object.keys(before)) if (!(key in after)) change[key] = null
  for (const [key, value] of Object.entries(after)) if (before[key] !== value) change[key] = value
  return Object.keys(change).length > 0 ? change : undefined
}
