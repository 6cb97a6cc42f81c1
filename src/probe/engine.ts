// Runs probe jobs on a cluster. One probe container per source (a short-lived pod, or an ephemeral
// container in the source pod); the sources take turns through a window of at most
// `maxProbePods` containers at once, and each source's checks are settled (./source-settle.ts)
// before its probe pod is deleted and the next source takes the slot. Every round of a source is
// one exec of the checker. Results are values: a source whose probe could not start yields
// `ran: false` results, never an exception. Progress is reported through `onEvent`.
import type { PodEndpoint } from '../evaluate/endpoint.js'
import type { KubeClient } from '../kube/client.js'
import { RUN_ID_LABEL } from '../model/cluster.js'
import { ClusterError } from '../model/errors.js'
import type { ProbeJob } from '../plan/plan.js'
import type { StandInSpec } from '../plan/stand-ins.js'
import type { ProbeResult } from '../model/probe.js'
import type { EngineContext, ProbeEngineOptions } from './context.js'
import { DEFAULT_LIMITER } from './limiter.js'
import { readCapacity } from './capacity.js'
import { judgeTimeout } from './neighbours.js'
import { retryPolicy, type Expectation } from './retry.js'
import { probeSourceRound, type SourcePosition } from './round.js'
import { settleSource, type SettledCheck } from './source-settle.js'
import { releaseStandIns, startStandIns, type StandInTurn } from './stand-ins.js'
import { createOwners, releaseProbePod, startEphemeralContainers, startProbePods } from './start.js'
import { defaultWindow, MAX_DEFAULT_WINDOW, roundsFor, throughWindow } from './window.js'

export type { ProbeEngineOptions, ProbeEvent, ProbeMode } from './context.js'
export type { SettledCheck } from './source-settle.js'

/** How the caller judges a result: the prediction, and whether a result needs no re-check. */
export interface Judge {
  predicted(job: ProbeJob): Expectation
  /** False when a re-check could change the verdict: a disagreement, or an unknown that a policy taking effect could turn into agreement. */
  settled(job: ProbeJob, result: ProbeResult): boolean
}

export interface ProbeEngine {
  /** Probes every job: sources through the window (or `window` slots), each one's checks settled before its container goes. */
  run(jobs: ProbeJob[], judge: Judge, window?: number): Promise<SettledCheck[]>
  /** The probe-pod window: --max-probe-pods, or half the free pod slots of the nodes. */
  window(): Promise<number>
  /** Destination stand-ins, created and deleted through this engine's run objects (./stand-ins.ts). */
  startStandIns(specs: StandInSpec[]): Promise<StandInTurn>
  releaseStandIns(turn: StandInTurn): Promise<void>
  /** Deletes everything this run created. Safe to call more than once, and after a partial run. */
  cleanup(): Promise<void>
}

/** A round that went fast still takes this long, so re-checks never spin against the API server. */
const MIN_ROUND_MS = 1000

export function createProbeEngine(client: KubeClient, options: ProbeEngineOptions): ProbeEngine {
  const context: EngineContext = {
    client, options, runners: new Map(), touchedNamespaces: new Set(), owners: new Map(), creates: { stopped: false, inFlight: new Set() },
    limiter: { limit: DEFAULT_LIMITER.initial, halvedAt: -Infinity, sharers: 1 }, neighbourTroubles: [], emit: (event) => options.onEvent?.(event),
  }
  return {
    run: (jobs, judge, window) => run(context, jobs, judge, window),
    window: () => windowSize(context),
    startStandIns: (specs) => startStandIns(context, specs),
    releaseStandIns: (turn) => releaseStandIns(context, turn),
    cleanup: () => cleanup(context),
  }
}

async function run(context: EngineContext, jobs: ProbeJob[], judge: Judge, slots?: number): Promise<SettledCheck[]> {
  const { options } = context
  const bySource = groupBySource(jobs)
  const sources = [...bySource.values()].map((sourceJobs) => sourceJobs[0].from)
  const window = slots ?? await windowSize(context)
  context.limiter.sharers = Math.min(window, sources.length)
  context.emit({ kind: 'starting', sources: sources.length, checks: jobs.length, mode: options.mode, window, rounds: roundsFor(sources.length, window) })
  if (options.mode === 'pod') await createOwners(context, [...new Set(sources.map((s) => s.pod.namespace))])
  const hosts = [...new Set(jobs.map((j) => j.target.host))].sort()
  const settled: SettledCheck[] = []
  await throughWindow<PodEndpoint>({
    sources,
    window,
    start: (batch) => (options.mode === 'pod' ? startProbePods(context, batch) : startEphemeralContainers(context, batch)),
    work: async (source) => {
      const position = { index: sources.indexOf(source), hosts }
      settled.push(...await probeSource(context, source.key, bySource.get(source.key)!, judge, position))
    },
    release: async (source) => {
      if (options.mode === 'pod') await releaseProbePod(context, source.key)
      context.emit({ kind: 'source-done', source: source.key })
    },
  })
  // Another pod's sighting may have come after a source was settled: judge every timeout against all of them.
  return settled.map((s) => ({ ...s, result: judgeTimeout(s.result, s.span, context.neighbourTroubles) }))
}

function probeSource(context: EngineContext, source: string, jobs: ProbeJob[], judge: Judge, position: SourcePosition): Promise<SettledCheck[]> {
  let round = 0
  return settleSource({
    jobs,
    predicted: judge.predicted,
    agrees: judge.settled,
    probeRound: async (request) => {
      const outcome = await probeSourceRound(context, source, request, position)
      context.emit(++round === 1 ? { kind: 'source-probed', source, checks: request.checks.length } : { kind: 'rechecking', source, checks: request.checks.length })
      return outcome
    },
    policy: retryPolicy(context.options.checkTimeout * 1000),
    settleMs: context.options.settle * 1000,
    minRoundMs: MIN_ROUND_MS,
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  })
}

/** --max-probe-pods, or half the free pod slots of the schedulable nodes (ephemeral containers take no slot). */
async function windowSize({ client, options }: EngineContext): Promise<number> {
  if (options.maxProbePods !== undefined) return options.maxProbePods
  if (options.mode === 'ephemeral') return MAX_DEFAULT_WINDOW
  const capacity = await readCapacity(client).catch(() => undefined)
  return capacity ? defaultWindow(capacity).size : MAX_DEFAULT_WINDOW / 2
}

function groupBySource(jobs: ProbeJob[]): Map<string, ProbeJob[]> {
  const bySource = new Map<string, ProbeJob[]>()
  for (const job of jobs) bySource.set(job.from.key, [...(bySource.get(job.from.key) ?? []), job])
  return bySource
}

/**
 * Ephemeral containers cannot be removed from a pod; they end with their deadline. When the API
 * cannot be reached, the error names what remains and how to remove it later.
 */
async function cleanup({ client, options, touchedNamespaces, creates, emit }: EngineContext): Promise<void> {
  if (options.mode === 'ephemeral') return
  creates.stopped = true
  await Promise.allSettled([...creates.inFlight])
  const { runId } = options.run
  const namespaces = touchedNamespaces.size
  for (const namespace of [...touchedNamespaces]) {
    try {
      await client.deleteLabelled(namespace, `${RUN_ID_LABEL}=${runId}`)
    } catch (error) {
      const left = [...touchedNamespaces].join(', ')
      throw new ClusterError(`could not delete the probe pods, their owner Deployment and the ConfigMap of run ${runId} in ${left} (${(error as Error).message}); \`kubectl netpol cleanup --run-id ${runId}\` removes them`)
    }
    touchedNamespaces.delete(namespace)
  }
  emit({ kind: 'cleaned', namespaces })
}
