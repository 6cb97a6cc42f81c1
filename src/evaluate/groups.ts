// Endpoints at the level users think in: the workload that runs a pod (Deployment, StatefulSet,
// DaemonSet, Job, CronJob, or the bare pod), grouped within its equivalence class. Every pod of a
// group gets the same verdicts, so a matrix over groups says what the pod matrix says. Pure.
import type { Pod } from '../model/cluster.js'
import type { EndpointClass } from './classes.js'
import type { Endpoint } from './endpoint.js'

export interface Workload {
  /** Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, …; Pod for a bare pod; External for an address. */
  kind: string
  /** `namespace/name`, or the address of an external endpoint. */
  key: string
}

/** The pods of one workload that fall into one class. */
export interface EndpointGroup {
  /** What outputs name the group by: the workload's key, made unique within its side. */
  id: string
  workload: Workload
  classId: number
  /** Class and workload: equal keys on both sides mean the same pods. */
  key: string
  members: Endpoint[]
}

export function workloadOf(endpoint: Endpoint): Workload {
  if (endpoint.kind === 'external') return { kind: 'External', key: endpoint.key }
  const { pod } = endpoint
  const owner = pod.template ?? pod.owner
  return owner ? { kind: owner.kind, key: `${pod.namespace}/${owner.name}` } : { kind: 'Pod', key: endpoint.key }
}

/** Groups in order of first appearance; a workload split over several classes gets `#2`, `#3`… on its later parts. */
export function groupEndpoints(endpoints: Endpoint[], classOf: (endpoint: Endpoint) => EndpointClass): EndpointGroup[] {
  const groups = new Map<string, EndpointGroup>()
  const parts = new Map<string, number>()
  for (const endpoint of endpoints) {
    const workload = workloadOf(endpoint)
    const classId = classOf(endpoint).id
    const key = `${classId}\0${workload.kind}\0${workload.key}`
    const existing = groups.get(key)
    if (existing) {
      existing.members.push(endpoint)
      continue
    }
    const part = (parts.get(workload.key) ?? 0) + 1
    parts.set(workload.key, part)
    groups.set(key, { id: part === 1 ? workload.key : `${workload.key}#${part}`, workload, classId, key, members: [endpoint] })
  }
  return [...groups.values()]
}

/** kubectl's short names, for tables that must stay narrow. */
const SHORT_KINDS: Record<string, string> = {
  Deployment: 'deploy', StatefulSet: 'sts', DaemonSet: 'ds', ReplicaSet: 'rs', ReplicationController: 'rc', Job: 'job', CronJob: 'cj',
}

/** A workload read from a manifest: one pod standing for every replica it would run. */
export function isTemplate(group: EndpointGroup): boolean {
  const first = group.members[0]
  return first.kind === 'pod' && first.pod.template !== undefined
}

/** `shop/frontend (Deployment, 2 pods)`, `shop/db (StatefulSet, template)`; a bare pod or an address is just its name. */
export function groupLabel(group: EndpointGroup, short = false): string {
  const { kind } = group.workload
  const size = groupSize(group)
  if (size === undefined) return group.id
  return `${group.id} (${short ? SHORT_KINDS[kind] ?? kind.toLowerCase() : kind}, ${size})`
}

/** How many pods a workload group stands for (`2 pods`, `template`); undefined for a bare pod or an address. */
export function groupSize(group: EndpointGroup): string | undefined {
  const { kind } = group.workload
  if (kind === 'Pod' || kind === 'External') return undefined
  const count = group.members.length
  return isTemplate(group) ? 'template' : `${count} ${count === 1 ? 'pod' : 'pods'}`
}

/**
 * Whether a pod name is one a template pod's workload would give its pods: `db-0` for StatefulSet
 * `db`, `web-7d9f8b6c5d-x2k9p` for Deployment `web`, `agent-x2k9p` for DaemonSet `agent`.
 */
export function isPodNameOf(pod: Pod, name: string): boolean {
  if (!pod.template || !name.startsWith(`${pod.template.name}-`)) return false
  const suffix = name.slice(pod.template.name.length + 1)
  switch (pod.template.kind) {
    case 'StatefulSet': return /^\d+$/.test(suffix)
    case 'Deployment': return /^[a-z0-9]{1,10}-[a-z0-9]{5}$/.test(suffix)
    case 'CronJob': return /^\d+-[a-z0-9]{5}$/.test(suffix)
    default: return /^[a-z0-9]{5}$/.test(suffix)
  }
}
