// A policy change applied to a snapshot, as `diff` describes it: objects to apply (replacing those
// of the same kind and name, as `kubectl apply` would), objects to delete, or a second set of
// policies replacing every policy. The world (namespaces, pods, services) stays the snapshot's.
// Pure: the files are read by the caller.
import type { ClusterPolicy, ClusterSnapshot, NetworkPolicy } from '../model/cluster.js'
import { clusterPolicyKind } from '../model/cluster.js'
import { InputError } from '../model/errors.js'

export interface ObjectRef {
  kind: 'NetworkPolicy' | 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy'
  namespace?: string
  name: string
}

export type PolicyChange =
  | { kind: 'edit'; apply: ClusterSnapshot[]; delete: ObjectRef[] }
  | { kind: 'replace'; after: ClusterSnapshot }

const KIND_NAMES: Record<string, ObjectRef['kind']> = {
  networkpolicy: 'NetworkPolicy', networkpolicies: 'NetworkPolicy', netpol: 'NetworkPolicy',
  adminnetworkpolicy: 'AdminNetworkPolicy', adminnetworkpolicies: 'AdminNetworkPolicy', anp: 'AdminNetworkPolicy',
  baselineadminnetworkpolicy: 'BaselineAdminNetworkPolicy', baselineadminnetworkpolicies: 'BaselineAdminNetworkPolicy', banp: 'BaselineAdminNetworkPolicy',
}

/** `networkpolicy/NAMESPACE/NAME`, `adminnetworkpolicy/NAME` or `baselineadminnetworkpolicy/default` (kubectl's short names too). */
export function parseObjectRef(text: string, flag: string): ObjectRef {
  const [kindText, ...rest] = text.split('/')
  const kind = KIND_NAMES[kindText.toLowerCase()]
  const usage = 'expected networkpolicy/NAMESPACE/NAME, adminnetworkpolicy/NAME or baselineadminnetworkpolicy/default'
  if (!kind) throw new InputError(`${JSON.stringify(text)}: unknown kind "${kindText}"; ${usage}`, { field: flag })
  const parts = kind === 'NetworkPolicy' ? 2 : 1
  if (rest.length !== parts || rest.some((p) => p === '')) throw new InputError(`${JSON.stringify(text)}: ${usage}`, { field: flag })
  return kind === 'NetworkPolicy' ? { kind, namespace: rest[0], name: rest[1] } : { kind, name: rest[0] }
}

export function describeRef(ref: ObjectRef): string {
  return `${ref.kind.toLowerCase()}/${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`
}

export function applyChange(before: ClusterSnapshot, change: PolicyChange): ClusterSnapshot {
  if (change.kind === 'replace') {
    return { ...before, policies: change.after.policies, clusterPolicies: change.after.clusterPolicies, unevaluatedPolicies: change.after.unevaluatedPolicies }
  }
  let policies = before.policies
  let clusterPolicies = before.clusterPolicies ?? []
  for (const ref of change.delete) {
    const kept = ref.kind === 'NetworkPolicy'
      ? policies.filter((p) => !(p.namespace === ref.namespace && p.name === ref.name))
      : undefined
    const keptCluster = ref.kind === 'NetworkPolicy' ? clusterPolicies : clusterPolicies.filter((p) => !(clusterPolicyKind(p.tier) === ref.kind && p.name === ref.name))
    if ((kept ?? policies).length === policies.length && keptCluster.length === clusterPolicies.length) {
      throw new InputError(`${describeRef(ref)}: no such object in the snapshot`, { field: '--delete' })
    }
    policies = kept ?? policies
    clusterPolicies = keptCluster
  }
  for (const applied of change.apply) {
    policies = [...policies.filter((p) => !applied.policies.some((a) => sameNetworkPolicy(a, p))), ...applied.policies]
    const incoming = applied.clusterPolicies ?? []
    clusterPolicies = [...clusterPolicies.filter((p) => !incoming.some((a) => sameClusterPolicy(a, p))), ...incoming]
  }
  return { ...before, policies, clusterPolicies }
}

function sameNetworkPolicy(a: NetworkPolicy, b: NetworkPolicy): boolean {
  return a.namespace === b.namespace && a.name === b.name
}

function sameClusterPolicy(a: ClusterPolicy, b: ClusterPolicy): boolean {
  return a.tier === b.tier && a.name === b.name
}
