// The narrow client the product talks to Kubernetes through, grouped by what each part is for.
// src/kube/ is the only place that knows @kubernetes/client-node; everything else receives plain
// wire JSON and this interface (tests use the in-memory fake in test/support/fake-kube.ts).

/** What the snapshot reads. */
export interface SnapshotReads {
  /** The namespace of the current context (kubectl's default for namespaced commands). */
  defaultNamespace(): Promise<string>
  /** Objects of one kind as wire JSON (with `kind` set); namespaced kinds in one namespace, or in all when undefined. */
  listObjects(kind: ListedKind, scope?: { namespace?: string; labelSelector?: string }): Promise<WireObject[]>
}

export type ListedKind = 'Namespace' | 'Node' | 'Pod' | 'NetworkPolicy' | 'Service' | 'Job' | ClusterPolicyKind

/** The cluster-scoped policy kinds of policy.networking.k8s.io; listing one whose CRD is not installed gives []. */
export type ClusterPolicyKind = 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy' | 'ClusterNetworkPolicy'

/** Creating, changing and removing the objects a run labels as its own. */
export interface ObjectWrites {
  /** Creates an object from its wire-JSON manifest (`metadata.generateName` works); returns what the server named it. */
  createObject(manifest: WireObject): Promise<ObjectRef>
  /** Replaces an existing object with the manifest (an unconditional update). */
  replaceObject(manifest: WireObject): Promise<void>
  /** Deletes an object in the background; one that does not exist is fine. */
  deleteObject(ref: WireObject): Promise<void>
  /** Merge-patches an object's labels; a null value removes that label. */
  patchLabels(ref: WireObject, labels: Record<string, string | null>): Promise<void>
  /** An object's labels and whether it is being deleted; undefined when it does not exist. */
  readMetadata(ref: WireObject): Promise<ObjectMetadata | undefined>
  /** Namespaced objects carrying the label (pods, ConfigMaps and Deployments), across all namespaces. */
  findLabelled(labelSelector: string): Promise<LabelledObject[]>
  /** Deletes the labelled pods (no grace period), Deployments and ConfigMaps of one namespace. */
  deleteLabelled(namespace: string, labelSelector: string): Promise<void>
}

/** Running probes: pods to poll, containers to add and exec into. */
export interface ProbeOperations {
  /** Pods as wire JSON (metadata, spec, status); every pod of the namespace when the selector is empty. */
  listPods(namespace: string | undefined, labelSelector: string): Promise<WirePod[]>
  addEphemeralContainer(namespace: string, pod: string, container: object): Promise<void>
  /** Runs a command in a container and collects its output. Never throws for a non-zero exit. */
  exec(target: ExecTarget, command: string[], timeoutMs: number): Promise<ExecResult>
}

/** SelfSubjectAccessReview: may the current user do this? */
export interface AccessReview {
  canI(attributes: AccessAttributes): Promise<boolean>
}

export interface KubeClient extends SnapshotReads, ObjectWrites, ProbeOperations, AccessReview {}

export interface AccessAttributes {
  verb: string
  resource: string
  subresource?: string
  group?: string
  namespace?: string
}

/** A manifest or a reference to one: apiVersion, kind, metadata.name and (for namespaced kinds) metadata.namespace. */
export interface WireObject {
  apiVersion: string
  kind: string
  metadata: { name?: string; generateName?: string; namespace?: string; labels?: Record<string, string>; [field: string]: unknown }
  [field: string]: unknown
}

export interface ObjectRef {
  namespace: string
  name: string
  uid: string
}

export interface ObjectMetadata {
  labels: Record<string, string>
  deleting: boolean
}

export interface LabelledObject extends ObjectRef {
  kind: 'Pod' | 'ConfigMap' | 'Deployment'
  labels: Record<string, string>
}

export interface ExecTarget {
  namespace: string
  pod: string
  container: string
}

/** The fields of a pod the probe reads, in wire form. */
export interface WirePod {
  metadata: { name: string; namespace: string; uid: string; labels?: Record<string, string> }
  spec?: { nodeName?: string }
  status?: {
    phase?: string
    podIP?: string
    reason?: string
    message?: string
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>
    containerStatuses?: ContainerStatus[]
    ephemeralContainerStatuses?: ContainerStatus[]
  }
}

export interface ContainerStatus {
  name: string
  state?: { running?: object; waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number } }
}

export interface ExecResult {
  stdout: string
  stderr: string
  /** undefined when the command did not finish (timeout, connection lost). */
  exitCode?: number
  error?: string
}
