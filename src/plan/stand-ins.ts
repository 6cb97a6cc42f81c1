// Destination stand-ins, planned. Pure. A stand-in is a pod the run creates in a destination's
// namespace with the destination's labels and declared ports (numbers and names, the union over its
// containers) that listens on all of them. NetworkPolicy selects pods by namespace and labels only,
// so every policy treats the stand-in as it treats the destination, and what a check observes then
// depends on the policy alone: a refusal or a timeout is the policy, never a closed port.
//
// A destination gets no stand-in (its checks dial the real pod, and the report says why) when a pod
// with its labels could disturb a workload or be treated differently from it:
//   - a Service that publishes not-ready addresses selects it: the stand-in would receive real
//     traffic (StatefulSet peer discovery, headless Services) although it never becomes Ready;
//   - a policy's ipBlock contains the destination's address: the stand-in has another address;
//   - it runs on the host network (a stand-in cannot share the node's address).
// Workload controllers never adopt a stand-in: it has a controller ownerReference (adoption only
// takes pods without one), and every controller counts only the pods it controls. A
// PodDisruptionBudget selecting its labels is no obstacle: its owner is the run's scale owner (a
// paused 0-replica Deployment, ../probe/spec.ts), so it adds nothing to the budget's expected count
// and, never Ready, nothing to the healthy count.
import type { ContainerPort, LabelSelector, Labels, Protocol } from '../model/cluster.js'
import type { PodEndpoint } from '../evaluate/endpoint.js'
import { peerMatches, type Evaluator } from '../evaluate/evaluate.js'
import { compileSelector } from '../evaluate/selector.js'
import type { ProbeJob } from './plan.js'

/** What probe dials: the real destination pods, their stand-ins, or both side by side. */
export type ProbeTargetKind = 'pods' | 'stand-ins' | 'both'
export const PROBE_TARGETS: readonly ProbeTargetKind[] = ['pods', 'stand-ins', 'both']

/** What a stand-in must look like: the destination's namespace, labels and declared ports. */
export interface StandInSpec {
  /** The destination it stands in for (namespace/name). */
  destination: string
  namespace: string
  labels: Labels
  ports: ContainerPort[]
  /** The destination's node, preferred for the stand-in so the same node enforces both. */
  nodeName?: string
}

/** The objects near a destination that decide whether a stand-in is safe. */
export interface StandInSurroundings {
  services: Array<{ namespace: string; name: string; selector?: Record<string, string>; publishNotReadyAddresses: boolean }>
}

export interface Fallback {
  destination: string
  reason: string
}

export interface StandInPlan {
  standIns: StandInSpec[]
  /** Destinations dialled directly although stand-ins were asked for, with why. */
  fallbacks: Fallback[]
}

export function planStandIns(evaluator: Evaluator, jobs: ProbeJob[], around: StandInSurroundings): StandInPlan {
  const destinations = [...new Map(jobs.flatMap((j) => (j.to.kind === 'pod' ? [[j.to.key, j.to] as const] : []))).values()]
  const standIns: StandInSpec[] = []
  const fallbacks: Fallback[] = []
  for (const destination of destinations) {
    const reason = unsafeReason(evaluator, destination, around)
    if (reason) fallbacks.push({ destination: destination.key, reason })
    else standIns.push(standInSpec(destination))
  }
  return { standIns, fallbacks }
}

export function standInSpec(destination: PodEndpoint): StandInSpec {
  const { pod } = destination
  return { destination: destination.key, namespace: pod.namespace, labels: pod.labels, ports: unionOfPorts(pod.ports), ...(pod.nodeName ? { nodeName: pod.nodeName } : {}) }
}

/**
 * One entry per port number and protocol, and each name once: what one container may declare.
 * (A pod's containers may repeat a port; a named-port rule resolves to the first, as the evaluator does.)
 */
export function unionOfPorts(ports: ContainerPort[]): ContainerPort[] {
  const seen = new Set<string>()
  const names = new Set<string>()
  const union: ContainerPort[] = []
  for (const port of ports) {
    const key = `${port.protocol}/${port.containerPort}`
    if (seen.has(key)) continue
    seen.add(key)
    const name = port.name !== undefined && !names.has(port.name) ? port.name : undefined
    if (name) names.add(name)
    union.push({ containerPort: port.containerPort, protocol: port.protocol, ...(name ? { name } : {}) })
  }
  return union
}

function unsafeReason(evaluator: Evaluator, destination: PodEndpoint, around: StandInSurroundings): string | undefined {
  const { pod } = destination
  if (pod.hostNetwork) return 'it uses the host network, whose address a stand-in cannot have'
  const selects = (namespace: string, selector: LabelSelector | undefined) =>
    namespace === pod.namespace && selector !== undefined && compileSelector(selector).matches(pod.labels)
  const peerService = around.services.find((s) => s.publishNotReadyAddresses && s.selector && selects(s.namespace, { matchLabels: s.selector }))
  if (peerService) return `Service ${peerService.namespace}/${peerService.name} publishes not-ready addresses and selects its labels, so a stand-in would receive its real traffic`
  const ipBlock = addressRule(evaluator, destination)
  if (ipBlock) return `${ipBlock} has an ipBlock containing its address, which a stand-in would not have`
  return undefined
}

/** The first egress rule whose ipBlock contains the destination's address. */
function addressRule(evaluator: Evaluator, destination: PodEndpoint): string | undefined {
  for (const policy of evaluator.policies) {
    const rule = policy.rules.egress?.find((r) => r.peers?.some((peer) => peer.kind === 'ipBlock' && peerMatches(peer, destination)))
    if (rule) return `policy ${policy.ref.namespace}/${policy.ref.name} egress[${rule.index}]`
  }
  return undefined
}

/** Where a destination's stand-in runs and which of its ports it listens on. */
export interface StandInPlacement {
  /** namespace/name of the stand-in pod. */
  pod: string
  ip: string
  /** `TCP/8080` (portKey) for each port it listens on. */
  listening: Set<string>
  /** Ports it declares but could not listen on, with the error (e.g. SCTP on a kernel without it). */
  unbound: Map<string, string>
}

export type Placement = StandInPlacement | { failed: string }

/**
 * The jobs as the target asks: with `stand-ins`, each check to a destination that has a stand-in
 * dials the stand-in instead (UDP by echo); with `both`, the stand-in's check is added beside the
 * real pod's. A check the stand-in cannot answer (a port it could not listen on, a stand-in that
 * did not start) dials the real pod and carries the reason.
 */
export function targetJobs(jobs: ProbeJob[], target: ProbeTargetKind, placements: Map<string, Placement>, fallbacks: Fallback[]): ProbeJob[] {
  if (target === 'pods') return jobs
  const fallbackOf = new Map(fallbacks.map((f) => [f.destination, f.reason]))
  return jobs.flatMap((job): ProbeJob[] => {
    const fallback = fallbackOf.get(job.to.key)
    const placement = placements.get(job.to.key)
    if (job.to.kind !== 'pod' || job.target.service || (!placement && !fallback)) return [job]
    if (!placement || 'failed' in placement) return [withFallback(job, fallback ?? `its stand-in did not start: ${(placement as { failed: string }).failed}`)]
    const port = portKey(job.protocol, job.target.port)
    if (!placement.listening.has(port)) {
      const why = placement.unbound.get(port) ?? 'it was not declared'
      return target === 'both' ? [job] : [withFallback(job, `its stand-in could not listen on ${port} (${why})`)]
    }
    const standIn = onStandIn(job, placement)
    return target === 'both' ? [job, standIn] : [standIn]
  })
}

function withFallback(job: ProbeJob, reason: string): ProbeJob {
  return { ...job, target: { ...job.target, fallback: `dialled the real pod, not a stand-in: ${reason}` } }
}

function onStandIn(job: ProbeJob, placement: StandInPlacement): ProbeJob {
  return {
    ...job,
    id: `${job.id}@stand-in`,
    target: { host: placement.ip, port: job.target.port, standIn: placement.pod },
    ...(job.protocol === 'UDP' ? { udpResponder: 'echo' as const } : {}),
  }
}

/** A check to a stand-in has a listener on its port by construction: a refusal is the policy's. */
export function dialsStandIn(job: ProbeJob): boolean {
  return job.target.standIn !== undefined
}

export function portKey(protocol: Protocol, port: number): string {
  return `${protocol}/${port}`
}
