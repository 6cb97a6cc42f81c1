// Runs probe jobs on a cluster. One probe container per source (a short-lived pod, or an ephemeral
// container in the source pod); each round sends all of a source's checks in one exec, and the
// container runs them concurrently. Results are values: a source whose probe could not start
// yields `ran: false` results, never an exception. Progress is reported through `onEvent`.
import type { PodEndpoint } from '../evaluate/endpoint.js'
import type { KubeClient } from '../kube/client.js'
import { RUN_ID_LABEL } from '../model/cluster.js'
import type { ProbeJob } from '../plan/plan.js'
import type { ProbeResult } from '../model/probe.js'
import { inBatches } from './batches.js'
import { EXEC_CONCURRENCY, type EngineContext, type ProbeEngineOptions } from './context.js'
import { probeSourceRound } from './round.js'
import { startEphemeralContainers, startProbePods } from './start.js'

export type { ProbeEngineOptions, ProbeEvent } from './context.js'

export interface ProbeEngine {
  /** Starts a probe container for each source; sources that cannot get one are remembered as failed. */
  prepare(sources: PodEndpoint[]): Promise<void>
  probe(jobs: ProbeJob[]): Promise<ProbeResult[]>
  /** Deletes everything this run created. Safe to call more than once, and after a partial prepare. */
  cleanup(): Promise<void>
}

export function createProbeEngine(client: KubeClient, options: ProbeEngineOptions): ProbeEngine {
  const context: EngineContext = { client, options, runners: new Map(), touchedNamespaces: new Set(), emit: (event) => options.onEvent?.(event) }
  let round = 0
  return {
    async prepare(sources) {
      context.emit({ kind: 'starting', sources: sources.length, mode: options.mode })
      if (options.mode === 'pod') await startProbePods(context, sources)
      else await startEphemeralContainers(context, sources)
    },
    async probe(jobs) {
      const bySource = groupBySource(jobs)
      context.emit({ kind: 'round', round: ++round, checks: jobs.length, sources: bySource.size })
      const results: ProbeResult[] = []
      await inBatches([...bySource], EXEC_CONCURRENCY, async ([source, sourceJobs]) => { results.push(...await probeSourceRound(context, source, sourceJobs)) })
      return results
    },
    cleanup: () => cleanup(context),
  }
}

function groupBySource(jobs: ProbeJob[]): Map<string, ProbeJob[]> {
  const bySource = new Map<string, ProbeJob[]>()
  for (const job of jobs) bySource.set(job.from.key, [...(bySource.get(job.from.key) ?? []), job])
  return bySource
}

/** Ephemeral containers cannot be removed from a pod; they end with their deadline. */
async function cleanup({ client, options, touchedNamespaces, emit }: EngineContext): Promise<void> {
  if (options.mode === 'ephemeral') return
  for (const namespace of touchedNamespaces) await client.deleteLabelled(namespace, `${RUN_ID_LABEL}=${options.run.runId}`)
  emit({ kind: 'cleaned', namespaces: touchedNamespaces.size })
  touchedNamespaces.clear()
}
