// Plain data describing a cluster as the evaluator sees it. No Kubernetes client types leak in here:
// the snapshot layer (files or live API) converts into these shapes.

export type Protocol = 'TCP' | 'UDP' | 'SCTP'
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP']

export type Labels = Readonly<Record<string, string>>

export interface LabelSelectorRequirement {
  key: string
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
  values?: string[]
}

export interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: LabelSelectorRequirement[]
}

export interface Namespace {
  name: string
  labels: Labels
}

export interface ContainerPort {
  name?: string
  containerPort: number
  protocol: Protocol
}

export interface Pod {
  namespace: string
  name: string
  labels: Labels
  /** Empty when the pod has no IP yet (e.g. offline manifests without status). */
  ips: string[]
  ports: ContainerPort[]
  hostNetwork: boolean
  serviceAccountName?: string
  nodeName?: string
  phase?: string
  /** Name of the workload this pod stands for when it came from a pod template. */
  template?: { kind: string; name: string }
  /**
   * The workload that runs this pod: its controller ownerReference, or what owns that controller
   * (the Deployment of a ReplicaSet, the CronJob of a Job) when the input says so.
   */
  owner?: { kind: string; name: string }
}

export interface IPBlock {
  cidr: string
  except?: string[]
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector
  namespaceSelector?: LabelSelector
  ipBlock?: IPBlock
}

export interface NetworkPolicyPort {
  protocol?: Protocol
  port?: number | string
  endPort?: number
}

export interface NetworkPolicyIngressRule {
  from?: NetworkPolicyPeer[]
  ports?: NetworkPolicyPort[]
}

export interface NetworkPolicyEgressRule {
  to?: NetworkPolicyPeer[]
  ports?: NetworkPolicyPort[]
}

/** networking.k8s.io/v1 NetworkPolicy, as written (absent fields stay absent: that difference matters). */
export interface NetworkPolicy {
  namespace: string
  name: string
  spec: {
    podSelector: LabelSelector
    policyTypes?: Array<'Ingress' | 'Egress'>
    ingress?: NetworkPolicyIngressRule[]
    egress?: NetworkPolicyEgressRule[]
  }
}

export interface ServicePort {
  name?: string
  port: number
  targetPort?: number | string
  protocol: Protocol
}

export interface Service {
  namespace: string
  name: string
  clusterIPs: string[]
  selector?: Record<string, string>
  ports: ServicePort[]
}

export interface Node {
  name: string
  /** Admin policies' `nodes` peers select nodes by these. */
  labels?: Labels
  ips: string[]
}

// ---------------------------------------------------------------------------------------------
// The cluster-scoped tiers of policy.networking.k8s.io/v1alpha1: AdminNetworkPolicy (before
// NetworkPolicy) and BaselineAdminNetworkPolicy (after it). Both share one shape here.

export type AdminAction = 'Allow' | 'Deny' | 'Pass'

export interface NamespacedPodSelector {
  namespaceSelector: LabelSelector
  podSelector: LabelSelector
}

/** Exactly one field is set. */
export interface AdminSubject {
  namespaces?: LabelSelector
  pods?: NamespacedPodSelector
}

/** Exactly one field is set; ingress peers only use namespaces and pods. */
export interface AdminPeer {
  namespaces?: LabelSelector
  pods?: NamespacedPodSelector
  nodes?: LabelSelector
  networks?: string[]
  domainNames?: string[]
}

/** Exactly one of portNumber, namedPort, portRange. */
export interface AdminPort {
  portNumber?: { protocol: Protocol; port: number }
  namedPort?: string
  portRange?: { protocol: Protocol; start: number; end: number }
}

export interface AdminRule {
  name?: string
  action: AdminAction
  /** `from` of an ingress rule, `to` of an egress rule (never empty). */
  peers: AdminPeer[]
  /** undefined: every port. */
  ports?: AdminPort[]
}

export type AdminTier = 'admin' | 'baseline'

export interface ClusterPolicy {
  tier: AdminTier
  name: string
  /** AdminNetworkPolicy only: 0–1000, lower first. */
  priority?: number
  subject: AdminSubject
  ingress: AdminRule[]
  egress: AdminRule[]
}

export interface UnevaluatedPolicy {
  /** `Kind/name`, or the kind's plural when none could be read. */
  policy: string
  reason: string
}

export function clusterPolicyKind(tier: AdminTier): string {
  return tier === 'admin' ? 'AdminNetworkPolicy' : 'BaselineAdminNetworkPolicy'
}

export interface ClusterSnapshot {
  namespaces: Namespace[]
  pods: Pod[]
  policies: NetworkPolicy[]
  /** AdminNetworkPolicies and the BaselineAdminNetworkPolicy (absent: none). */
  clusterPolicies?: ClusterPolicy[]
  /** Policies the prediction ignores: read but not evaluated (ClusterNetworkPolicy v1alpha2), or not readable. */
  unevaluatedPolicies?: UnevaluatedPolicy[]
  services: Service[]
  nodes: Node[]
  /** Addresses outside the cluster the user asked about (--external). */
  externals: string[]
  /** Things worth telling the user about the input (skipped kinds, pods without IPs…). */
  notes: string[]
  /** What the input held that the snapshot did not read (policy kinds we do not evaluate, files that are not manifests). */
  skipped?: SkippedInput
  /** Which pods were read, when not all of them (live `-n` / `-l`): lint cannot judge the rest. */
  podScope?: { namespaces?: string[]; labelSelector?: string }
}

export interface SkippedInput {
  /** Objects of kinds the snapshot does not read, as `Kind apiVersion namespace/name` parts. */
  objects: Array<{ kind: string; apiVersion?: string; name?: string; namespace?: string; where: string }>
  /** Files found in a -f directory that are not Kubernetes objects. */
  files: string[]
}

export function emptySnapshot(): ClusterSnapshot {
  return { namespaces: [], pods: [], policies: [], services: [], nodes: [], externals: [], notes: [] }
}

export function podKey(pod: { namespace: string; name: string }): string {
  return `${pod.namespace}/${pod.name}`
}

/** Label on everything kubectl-netpol creates in a cluster; its value is the run id. */
export const RUN_ID_LABEL = 'netpol.kubectl.io/run-id'

/** Annotation on a probe pod naming the pod whose identity it carries. */
export const PROBE_SOURCE_ANNOTATION = 'netpol.kubectl.io/source'

/** Set by the API server on every namespace: its name. Policies commonly select namespaces by it. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name'

/** UID and GID of every container kubectl-netpol creates (non-root, Pod Security `restricted`). */
export const NOBODY = 65534

/** Where the cluster DNS runs and how its pods are labelled (CoreDNS keeps kube-dns's label). */
export const DNS_NAMESPACE = 'kube-system'
export const DNS_LABELS: Labels = { 'k8s-app': 'kube-dns' }
