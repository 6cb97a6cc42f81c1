// Which checks to run: one ProbeJob per (source, destination, port, protocol, target address).
// The same job feeds the prediction and the real probe, so reconciling is a join on job.id.
import type { Protocol, Service } from '../model/cluster.js'
import { classify } from '../evaluate/classes.js'
import type { Endpoint, ExternalEndpoint, PodEndpoint } from '../evaluate/endpoint.js'
import type { Evaluator } from '../evaluate/evaluate.js'
import { resolvePort } from '../evaluate/evaluate.js'
import { destinationPorts } from '../evaluate/scope.js'
import { compileSelector } from '../evaluate/selector.js'

/** How the probe can tell a UDP port answered: only a responder makes UDP observable. */
export type UdpResponder = 'dns' | 'echo'

export interface ProbeTarget {
  /** What the probe dials: an IP address, or a Service DNS name with --service. */
  host: string
  port: number
  /** The Service dialled instead of the pod, as namespace/name. */
  service?: string
  /** The destination's stand-in dialled instead of the pod, as namespace/name (./stand-ins.ts). */
  standIn?: string
  /** Why the real pod is dialled although stand-ins were asked for. */
  fallback?: string
}

export interface ProbeJob {
  id: string
  from: PodEndpoint
  to: Endpoint
  /** The port as asked (number or name) and the protocol. */
  port: number | string
  protocol: Protocol
  target: ProbeTarget
  udpResponder?: UdpResponder
  /** Pods the source stands for (its equivalence class in scope). */
  sourceMembers: string[]
}

export interface SkippedSource {
  pod: string
  reason: string
}

export interface PlanOptions {
  sources: Endpoint[]
  destinations: Endpoint[]
  /** The asked ports; empty: each destination on the ports it declares (of `protocol`, when given), as `destinationPorts` rules. */
  ports: Array<{ port: number | string; protocol: Protocol }>
  protocol?: Protocol
  /** Every pod rather than one representative per equivalence class. */
  allPods: boolean
  /** External address:port pairs for egress checks. */
  externals: Array<{ ip: string; port: number; protocol: Protocol }>
  /** Dial the Services that select a destination instead of its pod IP. */
  services?: Service[]
  /** UDP ports known to echo (scenario servers); port 53 counts as DNS everywhere. */
  udpEchoPorts?: Set<string>
}

export interface ProbePlan {
  jobs: ProbeJob[]
  skipped: SkippedSource[]
}

const DNS_PORT = 53

export function planProbes(evaluator: Evaluator, options: PlanOptions): ProbePlan {
  const skipped: SkippedSource[] = []
  const podSources = options.sources.filter((e): e is PodEndpoint => e.kind === 'pod')
  const usable = podSources.filter((s) => {
    if (s.pod.hostNetwork) skipped.push({ pod: s.key, reason: 'uses the host network: a probe pod cannot carry its identity' })
    else if (s.pod.template) skipped.push({ pod: s.key, reason: `stands for a ${s.pod.template.kind} template, not a running pod` })
    return !s.pod.hostNetwork && !s.pod.template
  })
  const sources = representatives(evaluator, usable, options.allPods)
  const destinations = representatives(evaluator, options.destinations, options.allPods)
  const jobs: ProbeJob[] = []
  for (const { representative: from, members } of sources) {
    for (const { representative: to } of destinations) {
      for (const check of checksTo(to, options)) {
        jobs.push({ ...check, id: jobId(from.key, to.key, check.protocol, check.port, check.target), from, to, sourceMembers: members })
      }
    }
    for (const external of options.externals) {
      const to: ExternalEndpoint = evaluator.endpoint(external.ip) as ExternalEndpoint
      const target = { host: external.ip, port: external.port }
      jobs.push({
        id: jobId(from.key, external.ip, external.protocol, external.port, target), from, to, port: external.port,
        protocol: external.protocol, target, udpResponder: udpResponder(external.protocol, external.port, options), sourceMembers: members,
      })
    }
  }
  return { jobs, skipped }
}

function jobId(from: string, to: string, protocol: Protocol, port: number | string, target: ProbeTarget): string {
  return `${from}>${to}:${protocol}/${port}${target.service ? `@${target.service}` : ''}`
}

interface Represented<T extends Endpoint> {
  representative: T
  members: string[]
}

function representatives<T extends Endpoint>(evaluator: Evaluator, endpoints: T[], allPods: boolean): Array<Represented<T>> {
  if (allPods) return endpoints.map((e) => ({ representative: e, members: [e.key] }))
  const wanted = new Set(endpoints.map((e) => e.key))
  return classify(endpoints, evaluator.policies, evaluator.tiers).map((c) => ({
    representative: c.representative as T,
    members: c.members.map((m) => m.key).filter((k) => wanted.has(k)),
  }))
}

type Check = Pick<ProbeJob, 'port' | 'protocol' | 'target' | 'udpResponder'>

function checksTo(to: Endpoint, options: PlanOptions): Check[] {
  if (to.kind !== 'pod' || to.pod.ips.length === 0) return []
  return destinationPorts(options.ports, options.protocol, to).flatMap(({ port, protocol }) => {
    const number = resolvePort(port, to)
    if (number === undefined) return []
    const target = options.services ? serviceTarget(to, number, protocol, options.services) : { host: to.pod.ips[0], port: number }
    return target ? [{ port, protocol, target, udpResponder: udpResponder(protocol, number, options) }] : []
  })
}

function udpResponder(protocol: Protocol, port: number, options: PlanOptions): UdpResponder | undefined {
  if (protocol !== 'UDP') return undefined
  if (port === DNS_PORT) return 'dns'
  return options.udpEchoPorts?.has(String(port)) ? 'echo' : undefined
}

/** The first Service that selects the pod and forwards to this container port, dialled by DNS name. */
function serviceTarget(to: PodEndpoint, containerPort: number, protocol: Protocol, services: Service[]): ProbeTarget | undefined {
  for (const service of services) {
    if (service.namespace !== to.pod.namespace || !service.selector || service.clusterIPs.length === 0) continue
    if (!compileSelector({ matchLabels: service.selector }).matches(to.pod.labels)) continue
    const port = service.ports.find((p) => p.protocol === protocol && targetsPort(p.targetPort ?? p.port, containerPort, to))
    if (port) return { host: `${service.name}.${service.namespace}.svc.cluster.local`, port: port.port, service: `${service.namespace}/${service.name}` }
  }
  return undefined
}

function targetsPort(targetPort: number | string, containerPort: number, to: PodEndpoint): boolean {
  return typeof targetPort === 'number' ? targetPort === containerPort : resolvePort(targetPort, to) === containerPort
}
