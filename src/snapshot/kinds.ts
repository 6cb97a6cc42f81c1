// The kinds the snapshot reads, one converter each: located JSON → the model's plain data, with the
// API server's validation rules for the fields the evaluator reads. Absent and empty lists mean
// different things in NetworkPolicies, so optional lists are kept exactly as written.
import {
  NAMESPACE_NAME_LABEL, type ContainerPort, type IPBlock, type LabelSelector, type LabelSelectorRequirement,
  type Labels, type Namespace, type NetworkPolicy, type NetworkPolicyEgressRule, type NetworkPolicyIngressRule,
  type NetworkPolicyPeer, type NetworkPolicyPort, type Node, type Pod, type Service, type ServicePort,
  type AdminAction, type AdminPeer, type AdminPort, type AdminRule, type AdminSubject, type AdminTier, type ClusterPolicy,
  type NamespacedPodSelector, clusterPolicyKind,
} from '../model/cluster.js'
import { cidrCovers, parseAddress, parseCidr } from '../model/ip.js'
import { dns1035LabelProblem, dnsLabelProblem, dnsSubdomainProblem, labelKeyProblem, labelValueProblem } from '../model/names.js'
import { isPortName } from '../model/ports.js'
import {
  asObject, asString, at, describe, fail, mapArray, optionalBoolean, optionalObject, optionalProtocol, optionalString,
  portNumber, portNumberOrName, rejectUnknownFields, stringMap, withoutUndefined, type Json, type Where,
} from './located.js'
import { podOwner } from './owners.js'

// ---------------------------------------------------------------------------------------------
// Metadata, namespaces, nodes

export interface Metadata {
  name: string
  /** Undefined for cluster-scoped kinds. */
  namespace?: string
  labels: Labels
}

/** Which rule an object's name follows: namespaces are DNS labels, services DNS-1035 labels, the rest DNS subdomains. */
const NAME_RULES: Record<string, (name: string) => string | undefined> = { Namespace: dnsLabelProblem, Service: dns1035LabelProblem }

export function readMetadata(object: Json, where: Where, defaultNamespace: string | undefined): Metadata {
  const metadata = optionalObject(object, 'metadata', where)
  const metaAt = at(where, 'metadata')
  const name = metadata ? optionalString(metadata, 'name', metaAt) : undefined
  if (!metadata || !name) fail(at(metaAt, 'name'), 'metadata.name is missing; every object needs a name')
  const nameProblem = (NAME_RULES[object.kind as string] ?? dnsSubdomainProblem)(name)
  if (nameProblem) fail(at(metaAt, 'name'), `${JSON.stringify(name)} ${nameProblem}`)
  const written = defaultNamespace === undefined ? undefined : optionalString(metadata, 'namespace', metaAt)
  const namespaceProblem = written ? dnsLabelProblem(written) : undefined
  if (namespaceProblem) fail(at(metaAt, 'namespace'), `${JSON.stringify(written)} ${namespaceProblem}`)
  const namespace = defaultNamespace === undefined ? undefined : written || defaultNamespace
  return withoutUndefined({ name, namespace, labels: labels(metadata, metaAt) ?? {} })
}

/** metadata.labels with the API server's key and value rules. */
function labels(metadata: Json, where: Where): Labels | undefined {
  const map = stringMap(metadata, 'labels', where)
  if (map) validateLabels(map, at(where, 'labels'))
  return map
}

function validateLabels(map: Record<string, string>, where: Where): void {
  for (const [key, value] of Object.entries(map)) {
    const problem = labelKeyProblem(key) ?? labelValueProblem(value)
    if (problem) fail(where, problem)
  }
}

export function toNamespace(meta: Metadata): Namespace {
  // The API server always sets this label; policies commonly select namespaces by it.
  return { name: meta.name, labels: { ...meta.labels, [NAMESPACE_NAME_LABEL]: meta.name } }
}

export function toNode(object: Json, where: Where, meta: Metadata): Node {
  const status = optionalObject(object, 'status', where)
  const ips = (status && mapArray(status, 'addresses', at(where, 'status'), (value, addressAt) => {
    const address = asObject(value, addressAt, 'a node address')
    const type = optionalString(address, 'type', addressAt)
    // Other address types (Hostname, InternalDNS…) are names, not IPs.
    return type === 'InternalIP' || type === 'ExternalIP' ? optionalIp(address, 'address', addressAt) : undefined
  })) ?? []
  return { name: meta.name, labels: meta.labels, ips: ips.filter((ip): ip is string => ip !== undefined) }
}

// ---------------------------------------------------------------------------------------------
// Pods and pod templates

export function toPod(object: Json, where: Where, meta: Metadata): Pod {
  const spec = optionalObject(object, 'spec', where) ?? {}
  const status = optionalObject(object, 'status', where)
  return withoutUndefined({
    namespace: meta.namespace as string,
    name: meta.name,
    labels: meta.labels,
    ips: status ? podIps(status, at(where, 'status')) : [],
    ...podSpecFields(spec, at(where, 'spec')),
    phase: status ? optionalString(status, 'phase', at(where, 'status')) : undefined,
    owner: podOwner(object, meta.labels),
  })
}

/** The pod a workload would create, standing for all its replicas (no IPs: they do not exist yet). */
export function toTemplatePod(kind: string, templatePath: string[], object: Json, where: Where, meta: Metadata): Pod {
  const { template, templateAt } = followPath(object, templatePath, where)
  const templateMeta = optionalObject(template, 'metadata', templateAt)
  const templateLabels = (templateMeta && labels(templateMeta, at(templateAt, 'metadata'))) ?? {}
  const spec = optionalObject(template, 'spec', templateAt) ?? {}
  return withoutUndefined({
    namespace: meta.namespace as string,
    name: meta.name,
    labels: templateLabels,
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
      const ports = mapArray(container, 'ports', containerAt, toContainerPort) ?? []
      rejectDuplicatePortNames(ports, at(containerAt, 'ports'))
      return ports
    }) ?? []).flat()
  return [...portsOf('containers', false), ...portsOf('initContainers', true)]
}

/** The API server rejects two ports of one container with the same name. */
function rejectDuplicatePortNames(ports: ContainerPort[], where: Where): void {
  const seen = new Set<string>()
  ports.forEach((port, i) => {
    if (port.name === undefined) return
    if (seen.has(port.name)) fail(at(at(where, i), 'name'), `duplicate port name "${port.name}" in this container`)
    seen.add(port.name)
  })
}

function toContainerPort(value: unknown, where: Where): ContainerPort {
  const port = asObject(value, where, 'a container port')
  const containerPort = port.containerPort
  if (containerPort === undefined || containerPort === null) fail(at(where, 'containerPort'), 'containerPort is missing; expected an integer 1–65535')
  const name = optionalString(port, 'name', where) || undefined
  if (name !== undefined && !isPortName(name)) {
    fail(at(where, 'name'), `"${name}" is not a valid port name; expected 1–15 lowercase letters, digits and '-', with at least one letter and no leading, trailing or double '-'`)
  }
  return withoutUndefined({
    name,
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

export function toService(object: Json, where: Where, meta: Metadata): Service {
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
  const number = portNumber(port.port, at(where, 'port'))
  return withoutUndefined({
    name: optionalString(port, 'name', where),
    port: number,
    // The API server defaults an absent targetPort to the port.
    targetPort: targetPort === undefined ? number : portNumberOrName(targetPort, at(where, 'targetPort')),
    protocol: optionalProtocol(port, where) ?? 'TCP',
  })
}

// ---------------------------------------------------------------------------------------------
// NetworkPolicies. Absent and empty lists mean different things (no rule vs. allow all / deny all),
// so every optional list is kept exactly as written: absent (or null) → undefined, [] → [].

export function toNetworkPolicy(object: Json, where: Where, meta: Metadata): NetworkPolicy {
  // An absent spec is the empty one, as the API server reads it: every pod of the namespace, isolated for ingress.
  const spec = optionalObject(object, 'spec', where) ?? {}
  const specAt = at(where, 'spec')
  rejectUnknownFields(spec, ['podSelector', 'policyTypes', 'ingress', 'egress'], specAt)
  // Omitted or null, podSelector is {} (every pod in the namespace), as the API server reads it.
  const podSelector = optionalSelector(spec, 'podSelector', specAt) ?? {}
  const policyTypes = mapArray(spec, 'policyTypes', specAt, toPolicyType)
  if (policyTypes && policyTypes.length > 2) fail(at(specAt, 'policyTypes'), `may not specify more than two policyTypes, got ${policyTypes.length}`)
  return {
    namespace: meta.namespace as string,
    name: meta.name,
    spec: withoutUndefined({
      podSelector,
      policyTypes,
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
// AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1), with the
// CRD's validation: exactly one field in a subject, peer or port; at least one peer per rule;
// priority 0–1000; the baseline policy is a singleton named "default" whose actions are Allow/Deny.

export function toClusterPolicy(tier: AdminTier, object: Json, where: Where, meta: Metadata): ClusterPolicy {
  const kind = clusterPolicyKind(tier)
  const spec = optionalObject(object, 'spec', where)
  const specAt = at(where, 'spec')
  if (!spec) fail(specAt, `spec is missing; a ${kind} needs spec.subject`)
  rejectUnknownFields(spec, tier === 'admin' ? ['priority', 'subject', 'ingress', 'egress'] : ['subject', 'ingress', 'egress'], specAt)
  if (tier === 'baseline' && meta.name !== 'default') fail(at(at(where, 'metadata'), 'name'), `a BaselineAdminNetworkPolicy must be named "default" (there is one per cluster), got "${meta.name}"`)
  const subjectValue = optionalObject(spec, 'subject', specAt)
  if (!subjectValue) fail(at(specAt, 'subject'), `spec.subject is required; set namespaces or pods`)
  const rules = (direction: 'ingress' | 'egress') => mapArray(spec, direction, specAt, (value, ruleAt) => toAdminRule(tier, direction, value, ruleAt)) ?? []
  return withoutUndefined({
    tier,
    name: meta.name,
    priority: tier === 'admin' ? toPriority(spec.priority, at(specAt, 'priority')) : undefined,
    subject: toAdminSubject(subjectValue, at(specAt, 'subject')),
    ingress: rules('ingress'),
    egress: rules('egress'),
  })
}

function toPriority(value: unknown, where: Where): number {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 1000) fail(where, `priority must be an integer 0–1000 (lower is checked first), got ${describe(value)}`)
  return value as number
}

function exactlyOne(object: Json, fields: string[], where: Where, what: string): string {
  rejectUnknownFields(object, fields, where)
  const set = fields.filter((f) => object[f] !== undefined && object[f] !== null)
  if (set.length !== 1) fail(where, `${what} must set exactly one of ${fields.join(', ')}${set.length > 1 ? `, got ${set.join(' and ')}` : ''}`)
  return set[0]
}

function toAdminSubject(subject: Json, where: Where): AdminSubject {
  const field = exactlyOne(subject, ['namespaces', 'pods'], where, 'a subject')
  return field === 'namespaces' ? { namespaces: requiredSelector(subject, 'namespaces', where) } : { pods: toNamespacedPod(subject, where) }
}

function toNamespacedPod(parent: Json, where: Where): NamespacedPodSelector {
  const pods = asObject(parent.pods, at(where, 'pods'), 'a pods selector')
  const podsAt = at(where, 'pods')
  rejectUnknownFields(pods, ['namespaceSelector', 'podSelector'], podsAt)
  return { namespaceSelector: requiredSelector(pods, 'namespaceSelector', podsAt), podSelector: requiredSelector(pods, 'podSelector', podsAt) }
}

function requiredSelector(parent: Json, key: string, where: Where): LabelSelector {
  const selector = optionalSelector(parent, key, where)
  if (!selector) fail(at(where, key), `${key} is required; use {} to select everything`)
  return selector
}

const ACTIONS: Record<AdminTier, AdminAction[]> = { admin: ['Allow', 'Deny', 'Pass'], baseline: ['Allow', 'Deny'] }

function toAdminRule(tier: AdminTier, direction: 'ingress' | 'egress', value: unknown, where: Where): AdminRule {
  const rule = asObject(value, where, `an ${direction} rule`)
  const peersKey = direction === 'ingress' ? 'from' : 'to'
  rejectUnknownFields(rule, ['name', 'action', peersKey, 'ports'], where)
  const action = rule.action
  if (!ACTIONS[tier].includes(action as AdminAction)) fail(at(where, 'action'), `action must be one of ${ACTIONS[tier].join(', ')}, got ${describe(action)}`)
  const peers = mapArray(rule, peersKey, where, (peer, peerAt) => toAdminPeer(direction, peer, peerAt))
  if (!peers?.length) fail(at(where, peersKey), `${peersKey} must list at least one peer`)
  const ports = mapArray(rule, 'ports', where, toAdminPort)
  if (ports?.length === 0) fail(at(where, 'ports'), 'ports must list at least one port when set; omit it to match every port')
  if (ports?.some((p) => p.namedPort !== undefined) && peers.some((p) => p.nodes || p.networks)) {
    fail(at(where, 'ports'), 'namedPort cannot be used with nodes or networks peers: they have no named ports')
  }
  if (peers.some((p) => p.domainNames) && action !== 'Allow') fail(at(where, 'action'), 'domainNames peers are only allowed in Allow rules')
  return withoutUndefined({ name: optionalString(rule, 'name', where), action: action as AdminAction, peers, ports })
}

function toAdminPeer(direction: 'ingress' | 'egress', value: unknown, where: Where): AdminPeer {
  const peer = asObject(value, where, 'a peer')
  const fields = direction === 'ingress' ? ['namespaces', 'pods'] : ['namespaces', 'pods', 'nodes', 'networks', 'domainNames']
  const field = exactlyOne(peer, fields, where, 'a peer')
  switch (field) {
    case 'pods': return { pods: toNamespacedPod(peer, where) }
    case 'networks': return { networks: toNetworks(peer, where) }
    case 'domainNames': return { domainNames: mapArray(peer, 'domainNames', where, asString) ?? [] }
    default: return { [field]: requiredSelector(peer, field, where) }
  }
}

function toNetworks(peer: Json, where: Where): string[] {
  const networks = mapArray(peer, 'networks', where, (value, cidrAt) => {
    const text = asString(value, cidrAt)
    if (!parseCidr(text)) fail(cidrAt, `"${text}" is not a valid CIDR; expected an IPv4 or IPv6 network such as 10.0.0.0/8 or fd00::/8`)
    return text
  }) ?? []
  if (networks.length === 0) fail(at(where, 'networks'), 'networks must list at least one CIDR')
  return networks
}

function toAdminPort(value: unknown, where: Where): AdminPort {
  const port = asObject(value, where, 'a port entry')
  const field = exactlyOne(port, ['portNumber', 'namedPort', 'portRange'], where, 'a port entry')
  const fieldAt = at(where, field)
  if (field === 'namedPort') return { namedPort: asString(port.namedPort, fieldAt) }
  const entry = asObject(port[field], fieldAt, field)
  const protocol = optionalProtocol(entry, fieldAt) ?? 'TCP'
  if (field === 'portNumber') {
    rejectUnknownFields(entry, ['protocol', 'port'], fieldAt)
    return { portNumber: { protocol, port: portNumber(entry.port, at(fieldAt, 'port')) } }
  }
  rejectUnknownFields(entry, ['protocol', 'start', 'end'], fieldAt)
  const start = portNumber(entry.start, at(fieldAt, 'start'))
  const end = portNumber(entry.end, at(fieldAt, 'end'))
  if (end < start) fail(at(fieldAt, 'end'), `end ${end} is less than start ${start}; expected start <= end`)
  return { portRange: { protocol, start, end } }
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
  const matchLabels = stringMap(selector, 'matchLabels', selectorAt)
  if (matchLabels) validateLabels(matchLabels, at(selectorAt, 'matchLabels'))
  return withoutUndefined({
    matchLabels,
    matchExpressions: mapArray(selector, 'matchExpressions', selectorAt, toRequirement),
  })
}

function toRequirement(value: unknown, where: Where): LabelSelectorRequirement {
  const requirement = asObject(value, where, 'a label selector requirement')
  rejectUnknownFields(requirement, ['key', 'operator', 'values'], where)
  const key = optionalString(requirement, 'key', where)
  if (!key) fail(at(where, 'key'), 'key is missing; a matchExpressions entry needs the label key it tests')
  const keyProblem = labelKeyProblem(key)
  if (keyProblem) fail(at(where, 'key'), keyProblem)
  const operator = requirement.operator
  if (!isOperator(operator)) fail(at(where, 'operator'), `unknown operator ${describe(operator)}; expected one of ${OPERATORS.join(', ')}`)
  const values = mapArray(requirement, 'values', where, (value, valueAt) => {
    const text = asString(value, valueAt)
    const problem = labelValueProblem(text)
    if (problem) fail(valueAt, problem)
    return text
  })
  if ((operator === 'In' || operator === 'NotIn') && !values?.length) fail(at(where, 'values'), `operator ${operator} needs a non-empty values list`)
  if ((operator === 'Exists' || operator === 'DoesNotExist') && values?.length) fail(at(where, 'values'), `operator ${operator} must not have values`)
  return withoutUndefined({ key, operator, values })
}

function isOperator(value: unknown): value is LabelSelectorRequirement['operator'] {
  return OPERATORS.includes(value as LabelSelectorRequirement['operator'])
}
