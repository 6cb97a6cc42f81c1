// Measuring a scenario or drill world: every connection from the world's pods to the pods of the
// step's snapshot (servers listen on every declared port), named by the world's short names.
import type { KubeClient } from '../kube/client.js'
import { resolveRequest } from '../evaluate/request.js'
import type { ClusterSnapshot } from '../model/cluster.js'
import { planProbes } from '../plan/plan.js'
import type { WorkflowEvent } from '../probe/events.js'
import { runProbes, type ProbeRunOptions } from '../probe/run.js'
import { diagnose, orderForReport } from '../reconcile/reconcile.js'
import type { MeasuredConnection } from './compare.js'
import { DNS_ID, type World } from './model.js'
import type { LiveNames, LivePod } from './world.js'

export interface WorldNames {
  names: LiveNames
  /** The cluster DNS pods taking part (world.dns). */
  dnsPods: LivePod[]
}

export type ProbeWorldOptions = Pick<ProbeRunOptions, 'image' | 'checkTimeout' | 'startTimeout' | 'settle' | 'parallelism' | 'onCleanup' | 'enforcer'> & {
  onEvent?: (event: WorkflowEvent) => void
}

export async function probeWorld(client: KubeClient, world: World, snapshot: ClusterSnapshot, live: WorldNames, options: ProbeWorldOptions): Promise<{ diagnoses: string[]; measured: MeasuredConnection[] }> {
  options.onEvent?.({ kind: 'snapshot', pods: snapshot.pods.length, policies: snapshot.policies.length })
  const namespaces = world.namespaces.map((ns) => live.names.namespace(ns.name))
  const from = namespaces.map((namespace) => ({ kind: 'pod' as const, namespace, name: '*', text: `${namespace}/*` }))
  const { evaluator, sources, destinations } = resolveRequest(snapshot, { from, to: [], ports: [] }, { externals: [], includes: (e) => e.kind === 'pod' })
  const plan = planProbes(evaluator, {
    sources,
    destinations,
    ports: [],
    allPods: true,
    externals: [],
    udpEchoPorts: new Set(world.pods.flatMap((p) => p.ports.filter((port) => port.protocol === 'UDP').map((port) => String(port.port)))),
  })
  const { checks } = await runProbes(client, evaluator, plan.jobs, { ...options, mode: 'pod', target: 'pods', serversListen: true })
  const idOf = new Map<string, string>([
    ...world.pods.map((p) => [`${live.names.namespace(p.namespace)}/${p.name}`, p.id] as const),
    ...live.dnsPods.map((d) => [`${d.namespace}/${d.name}`, DNS_ID] as const),
  ])
  const measured = orderForReport(checks).map((c): MeasuredConnection => ({
    from: idOf.get(c.job.from.key) ?? c.job.from.key,
    to: idOf.get(c.job.to.key) ?? c.job.to.key,
    port: Number(c.job.port),
    protocol: c.job.protocol,
    predicted: c.predicted === 'allowed' ? 'allow' : 'deny',
    observed: c.observed,
    ...(c.note ? { note: c.note } : {}),
    ...(c.knownDeviation ? { knownDeviation: c.knownDeviation } : {}),
  }))
  return { diagnoses: diagnose(checks), measured }
}
