// Policy kinds the prediction does not evaluate, in one place. An object of one of these kinds in
// the input changes what the cluster enforces, so skipping it is a warning (`--strict` counts it),
// not a note. (The policy.networking.k8s.io kinds are read: AdminNetworkPolicy and
// BaselineAdminNetworkPolicy are evaluated, ClusterNetworkPolicy is warned about by lint as
// `policy-not-evaluated`.) Entries: the kind and the API groups it comes from (`*` for every version).

export interface IgnoredPolicyKind {
  kind: string
  /** API groups, as the part of apiVersion before '/'. */
  groups: string[]
  /** Only these apiVersions (for a kind whose other versions are read). */
  apiVersions?: string[]
  /** What enforces it, for the warning. */
  owner: string
}

export const IGNORED_POLICY_KINDS: readonly IgnoredPolicyKind[] = [
  { kind: 'CiliumNetworkPolicy', groups: ['cilium.io'], owner: 'Cilium' },
  { kind: 'CiliumClusterwideNetworkPolicy', groups: ['cilium.io'], owner: 'Cilium' },
  { kind: 'NetworkPolicy', groups: ['projectcalico.org', 'crd.projectcalico.org'], owner: 'Calico' },
  { kind: 'GlobalNetworkPolicy', groups: ['projectcalico.org', 'crd.projectcalico.org'], owner: 'Calico' },
  { kind: 'StagedNetworkPolicy', groups: ['projectcalico.org', 'crd.projectcalico.org'], owner: 'Calico' },
  { kind: 'StagedGlobalNetworkPolicy', groups: ['projectcalico.org', 'crd.projectcalico.org'], owner: 'Calico' },
  { kind: 'NetworkPolicy', groups: ['extensions'], apiVersions: ['extensions/v1beta1'], owner: 'nothing since Kubernetes 1.16 (the API server no longer serves extensions/v1beta1)' },
]

/** The ignored policy kind an object of this kind and apiVersion is, if any. */
export function ignoredPolicyKind(kind: string, apiVersion: string | undefined): IgnoredPolicyKind | undefined {
  const group = apiVersion?.includes('/') ? apiVersion.split('/')[0] : ''
  return IGNORED_POLICY_KINDS.find((k) => k.kind === kind && k.groups.includes(group) && (!k.apiVersions || k.apiVersions.includes(apiVersion ?? '')))
}
