// Kubernetes manifests (already parsed from YAML/JSON) → ClusterSnapshot. Pure: no fs, no network.
// Validation follows the API server's rules for the fields the evaluator reads, so a manifest the
// cluster would reject is reported here (with its exact field path) instead of being evaluated.
import {
  NAMESPACE_NAME_LABEL, PROTOCOLS, type ClusterSnapshot, type ContainerPort, type IPBlock, type LabelSelector, type LabelSelectorRequirement,
  type Labels, type Namespace, type NetworkPolicy, type NetworkPolicyEgressRule, type NetworkPolicyIngressRule,
  type NetworkPolicyPeer, type NetworkPolicyPort, type Node, type Pod, type Protocol, type Service, type ServicePort,
} from '../model/cluster.js'
import { InputError } from '../model/errors.js'
import { cidrCovers, parseAddress, parseCidr } from '../model/ip.js'

export interface ManifestDocument {
  file: string
  /** 0-based index of the document inside its file. */
  index: number
  object: unknown
}

export interface SnapshotOptions {
  /** Namespace for namespaced objects without metadata.namespace (kubectl's current namespace). */
  defaultNamespace?: string
}

type Json = Record<string, unknown>

interface Where {
  file: string
  document: number
  /** Path inside the document; '' for the document root. */
  field: string
}

/** Namespaces every cluster has, with no labels but the name label: assuming them needs no note. */
const BUILT_IN_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease']

export function snapshotFromObjects(docs: ManifestDocument[], options: SnapshotOptions = {}): ClusterSnapshot {
  const collected = new Collected(options.defaultNamespace ?? 'default')
  for (const doc of docs) {
    if (doc.object === null || doc.object === undefined) continue
    for (const { object, where } of flattenLists(doc.object, { file: doc.file, document: doc.index, field: '' })) {
      collected.add(object, where)
    }
  }
  return collected.toSnapshot()
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

  constructor(private readonly defaultNamespace: string) {}

  add(object: Json, where: Where): void {
    const handler = handlerFor(object)
    if (!handler) {
      const label = kindLabel(object)
      this.skipped.set(label, (this.skipped.get(label) ?? 0) + 1)
      return
    }
    const meta = readMetadata(object, where, handler.scope === 'namespaced' ? this.defaultNamespace : undefined)
    const converted = handler.convert(object, where, meta)
    const id = meta.namespace === undefined ? `${object.kind} ${meta.name}` : `${object.kind} ${meta.namespace}/${meta.name}`
    const earlier = this.entries.get(id)
    if (earlier) this.duplicates.push(`${id} is defined more than once (${describeWhere(earlier.where)} and ${describeWhere(where)}): the later one wins`)
    this.entries.set(id, { converted, where })
  }

  toSnapshot(): ClusterSnapshot {
    const all = [...this.entries.values()].map((entry) => entry.converted)
    const declared = all.flatMap((c) => ('namespace' in c ? [c.namespace] : []))
    const pods = all.flatMap((c) => ('pod' in c ? [c.pod] : []))
    const policies = all.flatMap((c) => ('policy' in c ? [c.policy] : []))
    const implicit = undeclaredNamespaces(declared, [...pods, ...policies])
    const assumed = implicit.filter((name) => !BUILT_IN_NAMESPACES.includes(name))
    return {
      namespaces: [...declared, ...implicit.map((name) => ({ name, labels: { [NAMESPACE_NAME_LABEL]: name } }))],
      pods,
      policies,
      services: all.flatMap((c) => ('service' in c ? [c.service] : [])),
      nodes: all.flatMap((c) => ('node' in c ? [c.node] : [])),
      externals: [],
      notes: [
        ...this.skippedNote(),
        ...this.duplicates,
        ...(assumed.length > 0 ? [`namespaces not declared in the input, assumed with no labels: ${assumed.join(', ')}`] : []),
        ...podsWithoutIpNote(pods, policies),
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

// ---------------------------------------------------------------------------------------------
// Metadata, namespaces, nodes

interface Metadata {
  name: string
  /** Undefined for cluster-scoped kinds. */
  namespace?: string
  labels: Labels
}

function readMetadata(object: Json, where: Where, defaultNamespace: string | undefined): Metadata {
  const metadata = optionalObject(object, 'metadata', where)
  const metaAt = at(where, 'metadata')
  const name = metadata ? optionalString(metadata, 'name', metaAt) : undefined
  if (!metadata || !name) fail(at(metaAt, 'name'), 'metadata.name is missing; every object needs a name')
  const namespace = defaultNamespace === undefined ? undefined : optionalString(metadata, 'namespace', metaAt) || defaultNamespace
  return withoutUndefined({ name, namespace, labels: stringMap(metadata, 'labels', metaAt) ?? {} })
}

function toNamespace(meta: Metadata): Namespace {
  // The API server always sets this label; policies commonly select namespaces by it.
  return { name: meta.name, labels: { ...meta.labels, [NAMESPACE_NAME_LABEL]: meta.name } }
}

function toNode(object: Json, where: Where, meta: Metadata): Node {
  const status = optionalObject(object, 'status', where)
  const ips = (status && mapArray(status, 'addresses', at(where, 'status'), (value, addressAt) => {
    const address = asObject(value, addressAt, 'a node address')
    const type = optionalString(address, 'type', addressAt)
    // Other address types (Hostname, InternalDNS…) are names, not IPs.
    return type === 'InternalIP' || type === 'ExternalIP' ? optionalIp(address, 'address', addressAt) : undefined
  })) ?? []
  return { name: meta.name, ips: ips.filter((ip): ip is string => ip !== undefined) }
}

// ---------------------------------------------------------------------------------------------
// Pods and pod templates

function toPod(object: Json, where: Where, meta: Metadata): Pod {
  const spec = optionalObject(object, 'spec', where) ?? {}
  const status = optionalObject(object, 'status', where)
  return withoutUndefined({
    namespace: meta.namespace as string,
    name: meta.name,
    labels: meta.labels,
    ips: status ? podIps(status, at(where, 'status')) : [],
    ...podSpecFields(spec, at(where, 'spec')),
    phase: status ? optionalString(status, 'phase', at(where, 'status')) : undefined,
  })
}

/** The pod a workload would create, standing for all its replicas (no IPs: they do not exist yet). */
function toTemplatePod(kind: string, templatePath: string[], object: Json, where: Where, meta: Metadata): Pod {
  const { template, templateAt } = followPath(object, templatePath, where)
  const templateMeta = optionalObject(template, 'metadata', templateAt)
  const labels = (templateMeta && stringMap(templateMeta, 'labels', at(templateAt, 'metadata'))) ?? {}
  const spec = optionalObject(template, 'spec', templateAt) ?? {}
  return withoutUndefined({
    namespace: meta.namespace as string,
    name: meta.name,
    labels,
    ips: [],
    ...podSpecFields(spec, at(templateAt, 'spec')),
    template: { kind, name: meta.name },
  })
}

function followPath(object: Json, path: string[], where: Where): { template: Json; templateAt: Where } {
  let current = object
  let currentAt = where
  for (const key of path) {
    const next = optionalObject(current, key, currentAt)
    if (!next) fail(at(where, path.join('.')), `${path.join('.')} is missing; a ${object.kind} needs a pod template`)
    current = next
    currentAt = at(currentAt, key)
  }
  return { template: current, templateAt: currentAt }
}

function podSpecFields(spec: Json, where: Where): Pick<Pod, 'ports' | 'hostNetwork' | 'serviceAccountName' | 'nodeName'> {
  return {
    ports: containerPorts(spec, where),
    hostNetwork: optionalBoolean(spec, 'hostNetwork', where) ?? false,
    serviceAccountName: optionalString(spec, 'serviceAccountName', where) || 'default',
    nodeName: optionalString(spec, 'nodeName', where),
  }
}

function containerPorts(spec: Json, where: Where): ContainerPort[] {
  const portsOf = (key: 'containers' | 'initContainers', onlySidecars: boolean): ContainerPort[] =>
    (mapArray(spec, key, where, (value, containerAt) => {
      const container = asObject(value, containerAt, 'a container')
      // Init containers with restartPolicy Always are sidecars: they keep running and serve traffic.
      if (onlySidecars && container.restartPolicy !== 'Always') return []
      return mapArray(container, 'ports', containerAt, toContainerPort) ?? []
    }) ?? []).flat()
  return [...portsOf('containers', false), ...portsOf('initContainers', true)]
}

function toContainerPort(value: unknown, where: Where): ContainerPort {
  const port = asObject(value, where, 'a container port')
  const containerPort = port.containerPort
  if (containerPort === undefined || containerPort === null) fail(at(where, 'containerPort'), 'containerPort is missing; expected an integer 1–65535')
  return withoutUndefined({
    name: optionalString(port, 'name', where),
    containerPort: portNumber(containerPort, at(where, 'containerPort')),
    protocol: optionalProtocol(port, where) ?? 'TCP',
  })
}

function podIps(status: Json, where: Where): string[] {
  const fromList = mapArray(status, 'podIPs', where, (value, ipAt) => optionalIp(asObject(value, ipAt, 'a pod IP entry'), 'ip', ipAt))
  const ips = fromList?.filter((ip): ip is string => ip !== undefined) ?? []
  if (ips.length > 0) return ips
  const single = optionalIp(status, 'podIP', where)
  return single ? [single] : []
}

function optionalIp(object: Json, key: string, where: Where): string | undefined {
  const text = optionalString(object, key, where)
  if (!text) return undefined
  if (!parseAddress(text)) fail(at(where, key), `"${text}" is not a valid IPv4 or IPv6 address`)
  return text
}

// ---------------------------------------------------------------------------------------------
// Services

function toService(object: Json, where: Where, meta: Metadata): Service {
  const spec = optionalObject(object, 'spec', where) ?? {}
  const specAt = at(where, 'spec')
  return withoutUndefined({
    namespace: meta.namespace as string,
    name: meta.name,
    clusterIPs: clusterIps(spec, specAt),
    selector: stringMap(spec, 'selector', specAt),
    ports: mapArray(spec, 'ports', specAt, toServicePort) ?? [],
  })
}

function clusterIps(spec: Json, where: Where): string[] {
  const listed = mapArray(spec, 'clusterIPs', where, (value, ipAt) => asString(value, ipAt))
  const all = listed ?? [optionalString(spec, 'clusterIP', where) ?? '']
  // "None" marks a headless service; "" means not allocated yet.
  return all.filter((ip) => ip !== 'None' && ip !== '')
}

function toServicePort(value: unknown, where: Where): ServicePort {
  const port = asObject(value, where, 'a service port')
  if (port.port === undefined || port.port === null) fail(at(where, 'port'), 'port is missing; expected an integer 1–65535')
  const targetPort = port.targetPort ?? undefined
  return withoutUndefined({
    name: optionalString(port, 'name', where),
    port: portNumber(port.port, at(where, 'port')),
    targetPort: targetPort === undefined ? undefined : portNumberOrName(targetPort, at(where, 'targetPort')),
    protocol: optionalProtocol(port, where) ?? 'TCP',
  })
}

// ---------------------------------------------------------------------------------------------
// NetworkPolicies. Absent and empty lists mean different things (no rule vs. allow all / deny all),
// so every optional list is kept exactly as written: absent (or null) → undefined, [] → [].

function toNetworkPolicy(object: Json, where: Where, meta: Metadata): NetworkPolicy {
  const spec = optionalObject(object, 'spec', where)
  const specAt = at(where, 'spec')
  if (!spec) fail(specAt, 'spec is missing; a NetworkPolicy needs at least spec.podSelector')
  rejectUnknownFields(spec, ['podSelector', 'policyTypes', 'ingress', 'egress'], specAt)
  const podSelector = optionalSelector(spec, 'podSelector', specAt)
  if (!podSelector) fail(at(specAt, 'podSelector'), 'spec.podSelector is required; use {} to select every pod in the namespace')
  return {
    namespace: meta.namespace as string,
    name: meta.name,
    spec: withoutUndefined({
      podSelector,
      policyTypes: mapArray(spec, 'policyTypes', specAt, toPolicyType),
      ingress: mapArray(spec, 'ingress', specAt, toIngressRule),
      egress: mapArray(spec, 'egress', specAt, toEgressRule),
    }),
  }
}

function toPolicyType(value: unknown, where: Where): 'Ingress' | 'Egress' {
  if (value !== 'Ingress' && value !== 'Egress') fail(where, `policyTypes entries must be "Ingress" or "Egress", got ${describe(value)}`)
  return value
}

function toIngressRule(value: unknown, where: Where): NetworkPolicyIngressRule {
  const rule = asObject(value, where, 'an ingress rule')
  rejectUnknownFields(rule, ['from', 'ports'], where)
  return withoutUndefined({ from: mapArray(rule, 'from', where, toPeer), ports: mapArray(rule, 'ports', where, toPolicyPort) })
}

function toEgressRule(value: unknown, where: Where): NetworkPolicyEgressRule {
  const rule = asObject(value, where, 'an egress rule')
  rejectUnknownFields(rule, ['to', 'ports'], where)
  return withoutUndefined({ to: mapArray(rule, 'to', where, toPeer), ports: mapArray(rule, 'ports', where, toPolicyPort) })
}

function toPeer(value: unknown, where: Where): NetworkPolicyPeer {
  const peer = asObject(value, where, 'a peer')
  rejectUnknownFields(peer, ['podSelector', 'namespaceSelector', 'ipBlock'], where)
  const podSelector = optionalSelector(peer, 'podSelector', where)
  const namespaceSelector = optionalSelector(peer, 'namespaceSelector', where)
  const ipBlockValue = optionalObject(peer, 'ipBlock', where)
  const ipBlock = ipBlockValue && toIpBlock(ipBlockValue, at(where, 'ipBlock'))
  if (ipBlock && (podSelector || namespaceSelector)) {
    fail(where, 'a peer cannot combine ipBlock with podSelector or namespaceSelector; write them as separate peers')
  }
  if (!ipBlock && !podSelector && !namespaceSelector) {
    fail(where, 'a peer must set ipBlock, or podSelector and/or namespaceSelector; an empty peer {} is not allowed')
  }
  return withoutUndefined({ podSelector, namespaceSelector, ipBlock })
}

function toIpBlock(block: Json, where: Where): IPBlock {
  rejectUnknownFields(block, ['cidr', 'except'], where)
  const cidrText = optionalString(block, 'cidr', where)
  if (!cidrText) fail(at(where, 'cidr'), 'ipBlock.cidr is missing; expected a CIDR such as 10.0.0.0/8 or fd00::/8')
  const cidr = parseCidr(cidrText)
  if (!cidr) fail(at(where, 'cidr'), `"${cidrText}" is not a valid CIDR; expected an IPv4 or IPv6 network such as 10.0.0.0/8 or fd00::/8`)
  const except = mapArray(block, 'except', where, (value, exceptAt) => {
    const text = asString(value, exceptAt)
    const inner = parseCidr(text)
    if (!inner) fail(exceptAt, `"${text}" is not a valid CIDR; expected an IPv4 or IPv6 network such as 10.0.0.0/24`)
    if (inner.family !== cidr.family) fail(exceptAt, `"${text}" is IPv${inner.family} but cidr "${cidrText}" is IPv${cidr.family}; except entries must be of the same family`)
    // The API server requires a strict subset: excepting the whole cidr is rejected too.
    if (!cidrCovers(cidr, inner) || inner.prefix <= cidr.prefix) fail(exceptAt, `"${text}" is not strictly inside cidr "${cidrText}"; except entries must be subsets of the cidr`)
    return text
  })
  return withoutUndefined({ cidr: cidrText, except })
}

function toPolicyPort(value: unknown, where: Where): NetworkPolicyPort {
  const entry = asObject(value, where, 'a port entry')
  rejectUnknownFields(entry, ['protocol', 'port', 'endPort'], where)
  const portValue = entry.port ?? undefined
  const port = portValue === undefined ? undefined : portNumberOrName(portValue, at(where, 'port'))
  const endPortValue = entry.endPort ?? undefined
  const endPort = endPortValue === undefined ? undefined : toEndPort(endPortValue, port, at(where, 'endPort'))
  return withoutUndefined({ protocol: optionalProtocol(entry, where), port, endPort })
}

function toEndPort(value: unknown, port: number | string | undefined, where: Where): number {
  if (port === undefined) fail(where, 'endPort requires port to be set; endPort marks the end of the range starting at port')
  if (typeof port === 'string') fail(where, `endPort cannot be used with named port "${port}"; use a numeric port`)
  const endPort = portNumber(value, where)
  if (endPort < port) fail(where, `endPort ${endPort} is less than port ${port}; expected endPort >= port`)
  return endPort
}

// ---------------------------------------------------------------------------------------------
// Label selectors (validated only: the evaluator has its own matcher)

const OPERATORS: ReadonlyArray<LabelSelectorRequirement['operator']> = ['In', 'NotIn', 'Exists', 'DoesNotExist']

/** A selector, or undefined when absent or null (for peers, null is the same as not set). */
function optionalSelector(parent: Json, key: string, where: Where): LabelSelector | undefined {
  const selector = optionalObject(parent, key, where)
  if (!selector) return undefined
  const selectorAt = at(where, key)
  rejectUnknownFields(selector, ['matchLabels', 'matchExpressions'], selectorAt)
  return withoutUndefined({
    matchLabels: stringMap(selector, 'matchLabels', selectorAt),
    matchExpressions: mapArray(selector, 'matchExpressions', selectorAt, toRequirement),
  })
}

function toRequirement(value: unknown, where: Where): LabelSelectorRequirement {
  const requirement = asObject(value, where, 'a label selector requirement')
  rejectUnknownFields(requirement, ['key', 'operator', 'values'], where)
  const key = optionalString(requirement, 'key', where)
  if (!key) fail(at(where, 'key'), 'key is missing; a matchExpressions entry needs the label key it tests')
  const operator = requirement.operator
  if (!isOperator(operator)) fail(at(where, 'operator'), `unknown operator ${describe(operator)}; expected one of ${OPERATORS.join(', ')}`)
  const values = mapArray(requirement, 'values', where, asString)
  if ((operator === 'In' || operator === 'NotIn') && !values?.length) fail(at(where, 'values'), `operator ${operator} needs a non-empty values list`)
  if ((operator === 'Exists' || operator === 'DoesNotExist') && values?.length) fail(at(where, 'values'), `operator ${operator} must not have values`)
  return withoutUndefined({ key, operator, values })
}

function isOperator(value: unknown): value is LabelSelectorRequirement['operator'] {
  return OPERATORS.includes(value as LabelSelectorRequirement['operator'])
}

// ---------------------------------------------------------------------------------------------
// Ports and protocols

function optionalProtocol(object: Json, where: Where): Protocol | undefined {
  const value = object.protocol ?? undefined
  if (value === undefined) return undefined
  if (PROTOCOLS.includes(value as Protocol)) return value as Protocol
  const hint = typeof value === 'string' && PROTOCOLS.includes(value.toUpperCase() as Protocol) ? ` (protocol names are case-sensitive: write ${value.toUpperCase()})` : ''
  fail(at(where, 'protocol'), `protocol must be one of ${PROTOCOLS.join(', ')}, got ${describe(value)}${hint}`)
}

function portNumber(value: unknown, where: Where): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    fail(where, `expected a port number, an integer 1–65535, got ${describe(value)}`)
  }
  return value
}

function portNumberOrName(value: unknown, where: Where): number | string {
  if (typeof value === 'number') return portNumber(value, where)
  if (typeof value !== 'string') fail(where, `expected a port number (1–65535) or a port name, got ${describe(value)}`)
  if (/^\d+$/.test(value)) {
    fail(where, `"${value}" is a string, not a number; write the port without quotes (${value}) or use a port name`)
  }
  if (!isIanaServiceName(value)) {
    fail(where, `"${value}" is not a valid port name; expected 1–15 lowercase letters, digits and '-', with at least one letter and no leading, trailing or double '-'`)
  }
  return value
}

function isIanaServiceName(name: string): boolean {
  return name.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) && /[a-z]/.test(name) && !name.includes('--')
}

// ---------------------------------------------------------------------------------------------
// Reading untyped values with their location

function at(where: Where, key: string | number): Where {
  const step = typeof key === 'number' ? `[${key}]` : where.field ? `.${key}` : key
  return { ...where, field: where.field + step }
}

function fail(where: Where, message: string): never {
  throw new InputError(message, { file: where.file, document: where.document, field: where.field || undefined })
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'string') return `"${value}"`
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${String(value)}`
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function asObject(value: unknown, where: Where, what: string): Json {
  if (!isObject(value)) fail(where, `expected ${what} (a mapping), got ${describe(value)}`)
  return value
}

function asString(value: unknown, where: Where): string {
  if (typeof value !== 'string') fail(where, `expected a string, got ${describe(value)}`)
  return value
}

function optionalObject(parent: Json, key: string, where: Where): Json | undefined {
  const value = parent[key] ?? undefined
  return value === undefined ? undefined : asObject(value, at(where, key), key)
}

function optionalString(parent: Json, key: string, where: Where): string | undefined {
  const value = parent[key] ?? undefined
  return value === undefined ? undefined : asString(value, at(where, key))
}

function optionalBoolean(parent: Json, key: string, where: Where): boolean | undefined {
  const value = parent[key] ?? undefined
  if (value !== undefined && typeof value !== 'boolean') fail(at(where, key), `expected true or false, got ${describe(value)}`)
  return value
}

function optionalArray(parent: Json, key: string, where: Where): unknown[] | undefined {
  const value = parent[key] ?? undefined
  if (value !== undefined && !Array.isArray(value)) fail(at(where, key), `expected a list, got ${describe(value)}`)
  return value
}

/** Converts each item of an optional list; absent or null stays undefined, [] stays []. */
function mapArray<T>(parent: Json, key: string, where: Where, convert: (value: unknown, where: Where) => T): T[] | undefined {
  const listAt = at(where, key)
  return optionalArray(parent, key, where)?.map((item, i) => convert(item, at(listAt, i)))
}

/** A string → string map such as labels; values that YAML read as numbers or booleans are rejected like the API server does. */
function stringMap(parent: Json, key: string, where: Where): Record<string, string> | undefined {
  const map = optionalObject(parent, key, where)
  if (!map) return undefined
  for (const [name, value] of Object.entries(map)) {
    if (typeof value !== 'string') {
      fail({ ...where, field: `${at(where, key).field}[${name}]` }, `value must be a string, got ${describe(value)}; quote it in YAML (e.g. "${String(value)}")`)
    }
  }
  return map as Record<string, string>
}

function rejectUnknownFields(object: Json, known: string[], where: Where): void {
  const unknown = Object.keys(object).find((key) => !known.includes(key))
  if (unknown !== undefined) fail(at(where, unknown), `unknown field "${unknown}"; expected one of ${known.join(', ')}`)
}

function withoutUndefined<T extends object>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T
}
