// Which endpoints a --from/--to value names. `NAMESPACE/NAME` is a pod, or the workload of that
// name (`shop/frontend` for every pod of Deployment frontend), or a pod the workload would run
// (`shop/db-0` for StatefulSet db read from a file); `KIND/NAME` (`deploy/frontend`,
// `statefulset/db`) is that workload in every namespace in scope; `NAMESPACE/*` is the namespace;
// an IP is the pod or address that has it. A value that names nothing is an error with the
// nearest name as a hint. Pure.
import { InputError } from '../model/errors.js'
import type { Endpoint } from './endpoint.js'
import { isPodNameOf, workloadOf } from './groups.js'
import type { EndpointPattern } from './scope.js'

/** kubectl's names for the workload kinds, singular, plural and short. */
const KIND_NAMES: Record<string, string> = Object.fromEntries(([
  ['Deployment', ['deployment', 'deployments', 'deploy']],
  ['StatefulSet', ['statefulset', 'statefulsets', 'sts']],
  ['DaemonSet', ['daemonset', 'daemonsets', 'ds']],
  ['ReplicaSet', ['replicaset', 'replicasets', 'rs']],
  ['ReplicationController', ['replicationcontroller', 'replicationcontrollers', 'rc']],
  ['Job', ['job', 'jobs']],
  ['CronJob', ['cronjob', 'cronjobs', 'cj']],
  ['Pod', ['pod', 'pods', 'po']],
] as const).flatMap(([kind, names]) => names.map((n) => [n, kind])))

/** Endpoints matching any of the patterns (all endpoints when there are none). */
export function selectEndpoints(endpoints: Endpoint[], patterns: EndpointPattern[], flag: string): Endpoint[] {
  if (patterns.length === 0) return endpoints
  const namespaces = new Set(endpoints.flatMap((e) => (e.kind === 'pod' ? [e.pod.namespace] : [])))
  const selected = new Set<Endpoint>()
  for (const pattern of patterns) {
    const matched = matching(endpoints, pattern, namespaces)
    if (matched.length === 0) throw new InputError(`${pattern.text} matches no pod, workload or address in scope${hint(endpoints, pattern, namespaces)}`, { field: flag })
    for (const e of matched) selected.add(e)
  }
  return endpoints.filter((e) => selected.has(e))
}

function matching(endpoints: Endpoint[], pattern: EndpointPattern, namespaces: Set<string>): Endpoint[] {
  if (pattern.kind === 'ip') return endpoints.filter((e) => (e.kind === 'external' ? e.key === pattern.ip : e.pod.ips.includes(pattern.ip)))
  const pods = endpoints.filter((e) => e.kind === 'pod')
  const kind = KIND_NAMES[pattern.namespace]
  // `deploy/web` is a kind and a name unless a namespace of that name is in scope.
  if (kind && !namespaces.has(pattern.namespace)) {
    return pods.filter((e) => (kind === 'Pod' ? e.pod.name === pattern.name && !e.pod.template : workloadName(e, kind) === pattern.name))
  }
  const inNamespace = pods.filter((e) => e.pod.namespace === pattern.namespace)
  if (pattern.name === '*') return inNamespace
  const byPodName = inNamespace.filter((e) => e.pod.name === pattern.name && !e.pod.template)
  if (byPodName.length > 0) return byPodName
  const byWorkload = inNamespace.filter((e) => workloadOf(e).key === pattern.text)
  if (byWorkload.length > 0) return byWorkload
  return inNamespace.filter((e) => isPodNameOf(e.pod, pattern.name))
}

function workloadName(endpoint: Endpoint & { kind: 'pod' }, kind: string): string | undefined {
  const workload = workloadOf(endpoint)
  return workload.kind === kind ? workload.key.slice(endpoint.pod.namespace.length + 1) : undefined
}

/**
 * `; did you mean shop/frontend?` when a name in scope is a small edit away; when its namespace has
 * no pod in scope at all (not read: the scope is -n, or the kubeconfig's namespace), how to read it.
 */
function hint(endpoints: Endpoint[], pattern: EndpointPattern, namespaces: Set<string>): string {
  if (pattern.kind === 'ip') return ''
  if (!namespaces.has(pattern.namespace) && !KIND_NAMES[pattern.namespace]) {
    return `; no pod of namespace ${pattern.namespace} is in scope (add -n ${pattern.namespace}, or -A)`
  }
  if (pattern.name === '*') return ''
  const names = new Set(endpoints.flatMap((e) => (e.kind === 'pod' ? [e.key, workloadOf(e).key, `${e.pod.namespace}/*`] : [])))
  let best: { name: string; distance: number } | undefined
  for (const name of names) {
    const distance = editDistance(pattern.text, name)
    if (distance < (best?.distance ?? Infinity)) best = { name, distance }
  }
  const limit = Math.max(2, Math.floor(pattern.text.length / 4))
  return best && best.distance <= limit ? `; did you mean ${best.name}?` : ''
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]
}
