// Watches the probe pods of kubectl-netpol runs (any run id; any namespace, or only the given ones)
// and remembers the most that existed at once: `live` counts pods not yet being deleted, `present`
// also those terminating.
import * as k8s from '@kubernetes/client-node'
import { STAND_IN_ANNOTATION } from '../../../src/probe/stand-in-pod.js'
import { kubeClients } from './cluster.js'

const RUN_ID_LABEL = 'netpol.kubectl.io/run-id'

/** A run's destination stand-in (the annotation names the destination), not a probe pod. */
export function isStandIn(pod: k8s.V1Pod): boolean {
  return pod.metadata?.annotations?.[STAND_IN_ANNOTATION] !== undefined
}

export interface ProbePodPeak {
  live: number
  present: number
}

export interface ProbePodWatch {
  stop(): ProbePodPeak
}

export async function watchProbePods(namespaces?: string[]): Promise<ProbePodWatch> {
  const present = new Set<string>()
  const live = new Set<string>()
  const peak: ProbePodPeak = { live: 0, present: 0 }
  const watch = new k8s.Watch(kubeClients().kc)
  const request = await watch.watch('/api/v1/pods', { labelSelector: RUN_ID_LABEL }, (type: string, pod: k8s.V1Pod) => {
    if (namespaces && !namespaces.includes(pod.metadata?.namespace ?? '')) return
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`
    const ended = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed'
    if (type === 'DELETED') present.delete(key)
    else present.add(key)
    if (type === 'DELETED' || pod.metadata?.deletionTimestamp || ended) live.delete(key)
    else live.add(key)
    peak.live = Math.max(peak.live, live.size)
    peak.present = Math.max(peak.present, present.size)
  }, () => undefined)
  return { stop: () => { request.abort(); return { ...peak } } }
}
