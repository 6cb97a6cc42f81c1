// Kubernetes manifests (already parsed from YAML/JSON) → ClusterSnapshot. Pure: no fs, no network.
// Lists are flattened, each object goes to the converter of its kind (kinds.ts), and the results
// are assembled into a snapshot with notes on what was skipped or assumed.
import type { ClusterPolicy, ClusterSnapshot, Namespace, NetworkPolicy, Node, Pod, Service, UnevaluatedPolicy } from '../model/cluster.js'
import { NAMESPACE_NAME_LABEL, type SkippedInput } from '../model/cluster.js'
import { ignoredPolicyKind } from '../model/policy-kinds.js'
import { readMetadata, toClusterPolicy, toNamespace, toNetworkPolicy, toNode, toPod, toService, toTemplatePod, type Metadata } from './kinds.js'
import { asObject, at, describe, fail, optionalArray, withoutUndefined, type Json, type Where } from './located.js'
import { controllerKey, controllerOf, withWorkloadOwner, type ControllerOwners } from './owners.js'

export interface ManifestDocument {
  file: string
  /** 0-based index of the document inside its file. */
  index: number
  object: unknown
  /** Found by searching a directory: a document that is not a Kubernetes object is skipped with a note, not an error. */
  searched?: boolean
}

export interface SnapshotOptions {
  /** Namespace for namespaced objects without metadata.namespace (kubectl's current namespace). */
  defaultNamespace?: string
  /** What owns controllers read apart from the objects (the live cluster's Jobs), so their pods name the CronJob. */
  owners?: ControllerOwners
}

/** Namespaces every cluster has, with no labels but the name label: assuming them needs no note. */
const BUILT_IN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease']

export function snapshotFromObjects(docs: ManifestDocument[], options: SnapshotOptions = {}): ClusterSnapshot {
  const collected = new Collected(options.defaultNamespace ?? 'default', options.owners)
  for (const doc of docs) {
    if (doc.object === null || doc.object === undefined) continue
    if (doc.searched && !looksLikeObject(doc.object)) {
      collected.skipFile(doc)
      continue
    }
    for (const { object, where } of flattenLists(doc.object, { file: doc.file, document: doc.index, field: '' })) {
      collected.add(object, where)
    }
  }
  return collected.toSnapshot()
}

function looksLikeObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as Json).kind === 'string'
}

// ---------------------------------------------------------------------------------------------
// Lists and kinds

interface LocatedObject {
  object: Json
  where: Where
}

function flattenLists(value: unknown, where: Where, inherited?: { kind: string; apiVersion: unknown }): LocatedObject[] {
  const object = asObject(value, where, 'a Kubernetes object')
  const kind = objectKind(object, where, inherited)
  if (!isList(kind, object)) return [{ object: inherited ? { kind, apiVersion: inherited.apiVersion, ...object } : object, where }]
  // Items of a typed list (PodList from the API) may omit kind/apiVersion: they are the list's.
  const itemKind = kind === 'List' ? undefined : { kind: kind.slice(0, -'List'.length), apiVersion: object.apiVersion }
  const items = optionalArray(object, 'items', where) ?? []
  return items.flatMap((item, i) => flattenLists(item, at(at(where, 'items'), i), itemKind))
}

function objectKind(object: Json, where: Where, inherited?: { kind: string }): string {
  if (object.kind === undefined || object.kind === null) {
    if (inherited) return inherited.kind
    fail(at(where, 'kind'), 'kind is missing; every object needs a kind such as Pod or NetworkPolicy')
  }
  if (typeof object.kind !== 'string' || object.kind === '') fail(at(where, 'kind'), `kind must be a non-empty string, got ${describe(object.kind)}`)
  return object.kind
}

function isList(kind: string, object: Json): boolean {
  return kind === 'List' || (kind.endsWith('List') && 'items' in object)
}

type Scope = 'namespaced' | 'cluster'

interface KindHandler {
  apiVersions: string[]
  scope: Scope
  convert: (object: Json, where: Where, meta: Metadata) => Converted
}

type Converted =
  | { namespace: Namespace }
  | { pod: Pod }
  | { policy: NetworkPolicy }
  | { service: Service }
  | { node: Node }
  | { clusterPolicy: ClusterPolicy }
  | { unevaluated: UnevaluatedPolicy }

export const ADMIN_POLICY_API = 'policy.networking.k8s.io/v1alpha1'

/** Workloads stand for their pod template: where it is and which apiVersion carries it. */
const WORKLOADS: Record<string, { apiVersion: string; templatePath: string[] }> = {
  Deployment: { apiVersion: 'apps/v1', templatePath: ['spec', 'template'] },
  StatefulSet: { apiVersion: 'apps/v1', templatePath: ['spec', 'template'] },
  DaemonSet: { apiVersion: 'apps/v1', templatePath: ['spec', 'template'] },
  ReplicaSet: { apiVersion: 'apps/v1', templatePath: ['spec', 'template'] },
  ReplicationController: { apiVersion: 'v1', templatePath: ['spec', 'template'] },
  Job: { apiVersion: 'batch/v1', templatePath: ['spec', 'template'] },
  CronJob: { apiVersion: 'batch/v1', templatePath: ['spec', 'jobTemplate', 'spec', 'template'] },
}

const HANDLERS: Record<string, KindHandler> = {
  Namespace: { apiVersions: ['v1'], scope: 'cluster', convert: (_, __, meta) => ({ namespace: toNamespace(meta) }) },
  Pod: { apiVersions: ['v1'], scope: 'namespaced', convert: (object, where, meta) => ({ pod: toPod(object, where, meta) }) },
  NetworkPolicy: {
    apiVersions: ['networking.k8s.io/v1'],
    scope: 'namespaced',
    convert: (object, where, meta) => ({ policy: toNetworkPolicy(object, where, meta) }),
  },
  Service: { apiVersions: ['v1'], scope: 'namespaced', convert: (object, where, meta) => ({ service: toService(object, where, meta) }) },
  Node: { apiVersions: ['v1'], scope: 'cluster', convert: (object, where, meta) => ({ node: toNode(object, where, meta) }) },
  AdminNetworkPolicy: {
    apiVersions: [ADMIN_POLICY_API],
    scope: 'cluster',
    convert: (object, where, meta) => ({ clusterPolicy: toClusterPolicy('admin', object, where, meta) }),
  },
  BaselineAdminNetworkPolicy: {
    apiVersions: [ADMIN_POLICY_API],
    scope: 'cluster',
    convert: (object, where, meta) => ({ clusterPolicy: toClusterPolicy('baseline', object, where, meta) }),
  },
  // Read so that the prediction can say it ignores them (lint `policy-not-evaluated`).
  ClusterNetworkPolicy: {
    apiVersions: ['policy.networking.k8s.io/v1alpha2'],
    scope: 'cluster',
    convert: (_, __, meta) => ({ unevaluated: { policy: `ClusterNetworkPolicy/${meta.name}`, reason: 'policy.networking.k8s.io/v1alpha2 is not supported yet' } }),
  },
  ...Object.fromEntries(Object.entries(WORKLOADS).map(([kind, { apiVersion, templatePath }]) => [kind, {
    apiVersions: [apiVersion],
    scope: 'namespaced' as const,
    convert: (object: Json, where: Where, meta: Metadata) => ({ pod: toTemplatePod(kind, templatePath, object, where, meta) }),
  }])),
}

/** The handler for an object, or undefined for kinds we do not read (including same-named kinds of other API groups). */
function handlerFor(object: Json): KindHandler | undefined {
  const handler = Object.hasOwn(HANDLERS, object.kind as string) ? HANDLERS[object.kind as string] : undefined
  // A missing apiVersion is tolerated; a different one (e.g. Calico's projectcalico.org/v3 NetworkPolicy) is another kind.
  if (!handler || (object.apiVersion !== undefined && !handler.apiVersions.includes(object.apiVersion as string))) return undefined
  return handler
}

/** `Kind`, or `Kind.group` (as kubectl writes it) when the kind name alone would look supported. */
function kindLabel(object: Json): string {
  const kind = object.kind as string
  return Object.hasOwn(HANDLERS, kind) && typeof object.apiVersion === 'string' ? `${kind}.${object.apiVersion.split('/')[0]}` : kind
}

// ---------------------------------------------------------------------------------------------
// Collecting objects into a snapshot

interface Entry {
  converted: Converted
  where: Where
}

class Collected {
  private readonly entries = new Map<string, Entry>()
  private readonly skipped = new Map<string, number>()
  private readonly duplicates: string[] = []
  private readonly skippedFiles: string[] = []
  private readonly skippedObjects: SkippedInput['objects'] = []
  /** What owns the ReplicaSets and Jobs of the input, so their pods name the Deployment or CronJob. */
  private readonly owners: ControllerOwners

  constructor(private readonly defaultNamespace: string, owners: ControllerOwners = new Map()) {
    this.owners = new Map(owners)
  }

  add(object: Json, where: Where): void {
    const handler = handlerFor(object)
    if (!handler) {
      this.skip(object, where)
      return
    }
    const meta = readMetadata(object, where, handler.scope === 'namespaced' ? this.defaultNamespace : undefined)
    const converted = handler.convert(object, where, meta)
    const owner = meta.namespace !== undefined && (object.kind === 'ReplicaSet' || object.kind === 'Job') ? controllerOf(object) : undefined
    if (owner) this.owners.set(controllerKey(object.kind as string, meta.namespace as string, meta.name), owner)
    const id = meta.namespace === undefined ? `${object.kind} ${meta.name}` : `${object.kind} ${meta.namespace}/${meta.name}`
    const earlier = this.entries.get(id)
    if (earlier) this.duplicates.push(`${id} is defined more than once (${describeWhere(earlier.where)} and ${describeWhere(where)}): the later one wins`)
    this.entries.set(id, { converted, where })
  }

  skipFile(doc: ManifestDocument): void {
    const what = Array.isArray(doc.object) ? 'a list' : typeof doc.object === 'object' ? 'a mapping without kind' : describe(doc.object)
    this.skippedFiles.push(`${doc.file}${doc.index > 0 ? ` document ${doc.index}` : ''} is not a Kubernetes object (${what})`)
  }

  /** Policy kinds we do not evaluate are kept for the lint (a warning); any other kind is counted for a note. */
  private skip(object: Json, where: Where): void {
    const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : undefined
    if (ignoredPolicyKind(object.kind as string, apiVersion)) {
      const metadata = typeof object.metadata === 'object' && object.metadata !== null ? object.metadata as Json : {}
      const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined)
      this.skippedObjects.push(withoutUndefined({ kind: object.kind as string, apiVersion, name: text(metadata.name), namespace: text(metadata.namespace), where: describeWhere(where) }))
      return
    }
    const label = kindLabel(object)
    this.skipped.set(label, (this.skipped.get(label) ?? 0) + 1)
  }

  toSnapshot(): ClusterSnapshot {
    const all = [...this.entries.values()].map((entry) => entry.converted)
    const declared = all.flatMap((c) => ('namespace' in c ? [c.namespace] : []))
    const { pods, shadowed } = withoutRunningTemplates(all.flatMap((c) => ('pod' in c ? [c.pod] : [])), this.owners)
    const policies = all.flatMap((c) => ('policy' in c ? [c.policy] : []))
    const implicit = undeclaredNamespaces(declared, [...pods, ...policies])
    const assumed = implicit.filter((name) => !BUILT_IN_NAMESPACES.includes(name))
    return {
      namespaces: [...declared, ...implicit.map((name) => ({ name, labels: { [NAMESPACE_NAME_LABEL]: name } }))],
      pods,
      policies,
      services: all.flatMap((c) => ('service' in c ? [c.service] : [])),
      nodes: all.flatMap((c) => ('node' in c ? [c.node] : [])),
      ...optionalList('clusterPolicies', all.flatMap((c) => ('clusterPolicy' in c ? [c.clusterPolicy] : []))),
      ...optionalList('unevaluatedPolicies', all.flatMap((c) => ('unevaluated' in c ? [c.unevaluated] : []))),
      externals: [],
      ...(this.skippedObjects.length + this.skippedFiles.length > 0 ? { skipped: { objects: this.skippedObjects, files: this.skippedFiles } } : {}),
      notes: [
        ...this.skippedNote(),
        ...this.duplicates,
        ...(assumed.length > 0 ? [`namespaces not declared in the input, assumed with no labels: ${assumed.join(', ')}`] : []),
        ...podsWithoutIpNote(pods, policies),
        ...(shadowed.length > 0 ? [`pods in the input stand for their workload instead of its pod template: ${shadowed.join(', ')}`] : []),
      ],
    }
  }

  private skippedNote(): string[] {
    if (this.skipped.size === 0) return []
    const kinds = [...this.skipped.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    const total = kinds.reduce((sum, [, count]) => sum + count, 0)
    const objects = total === 1 ? 'object of an unsupported kind' : 'objects of unsupported kinds'
    return [`skipped ${total} ${objects}: ${kinds.map(([kind, count]) => `${kind} (${count})`).join(', ')}`]
  }
}

function optionalList<K extends string, T>(key: K, list: T[]): Partial<Record<K, T[]>> {
  return list.length > 0 ? ({ [key]: list } as Record<K, T[]>) : {}
}

/**
 * Pods with their workload, and without the template pods of workloads whose own pods are in the
 * input (a `kubectl get all -o yaml` dump has the Deployment, its ReplicaSet and the pods).
 */
function withoutRunningTemplates(all: Pod[], owners: ControllerOwners): { pods: Pod[]; shadowed: string[] } {
  const running = new Set<string>()
  const pods = all.map((pod) => {
    if (pod.template || !pod.owner) return pod
    const resolved = withWorkloadOwner(pod, owners)
    const hash = pod.labels['pod-template-hash']
    running.add(controllerKey(pod.owner.kind, pod.namespace, pod.owner.name))
    running.add(controllerKey(resolved.owner!.kind, pod.namespace, resolved.owner!.name))
    if (pod.owner.kind === 'Deployment' && hash) running.add(controllerKey('ReplicaSet', pod.namespace, `${pod.owner.name}-${hash}`))
    return resolved
  })
  const isShadowed = (pod: Pod) => pod.template !== undefined && running.has(controllerKey(pod.template.kind, pod.namespace, pod.template.name))
  return { pods: pods.filter((p) => !isShadowed(p)), shadowed: pods.filter(isShadowed).map((p) => `${p.template!.kind} ${p.namespace}/${p.name}`) }
}

function undeclaredNamespaces(declared: Namespace[], namespaced: Array<{ namespace: string }>): string[] {
  const known = new Set(declared.map((ns) => ns.name))
  return [...new Set(namespaced.map((o) => o.namespace))].filter((name) => !known.has(name)).sort()
}

function podsWithoutIpNote(pods: Pod[], policies: NetworkPolicy[]): string[] {
  const withoutIp = pods.filter((pod) => pod.ips.length === 0).length
  if (withoutIp === 0 || !policies.some(usesIpBlock)) return []
  return [`${withoutIp} ${withoutIp === 1 ? 'pod has' : 'pods have'} no IP (no status.podIP): ipBlock rules cannot match them`]
}

function usesIpBlock(policy: NetworkPolicy): boolean {
  const peers = [...(policy.spec.ingress ?? []).flatMap((r) => r.from ?? []), ...(policy.spec.egress ?? []).flatMap((r) => r.to ?? [])]
  return peers.some((peer) => peer.ipBlock !== undefined)
}

function describeWhere(where: Where): string {
  return `${where.file} document ${where.document}${where.field ? ` ${where.field}` : ''}`
}
