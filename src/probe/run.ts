// One probe run over planned jobs: check the permissions it needs, take the sources through the
// probe-pod window (each one's checks settled before its pod goes), and clean up. Shared by probe,
// scenario run and drill check.
import { randomBytes } from 'node:crypto'
import type { PodEndpoint } from '../evaluate/endpoint.js'
import type { Evaluator, Verdict } from '../evaluate/evaluate.js'
import type { KubeClient } from '../kube/client.js'
import type { ProbeMode, ProbeResult } from '../model/probe.js'
import type { ProbeJob } from '../plan/plan.js'
import { dialsStandIn, type ProbeTargetKind, type StandInSurroundings } from '../plan/stand-ins.js'
import { nameKnownDeviation, type Enforcer } from '../reconcile/deviations.js'
import { isDisagreement, reconcileOne, type ReconciledCheck } from '../reconcile/reconcile.js'
import { createProbeEngine, type ProbeEngine } from './engine.js'
import type { ProbeRunEvent } from './events.js'
import { preflight } from './preflight.js'
import { readSurroundings } from './stand-ins.js'
import { probeTargets } from './targets.js'

export interface ProbeRunOptions {
  mode: ProbeMode
  image: string
  /** Seconds one connection attempt may take. */
  checkTimeout: number
  startTimeout: number
  /** Seconds to keep re-probing disagreements before reporting them. */
  settle: number
  parallelism: number
  /** Probe pods at once (default: half the free pod slots, at most 20). */
  maxProbePods?: number
  /** A server is known to listen on every declared port (scenario worlds). */
  serversListen?: boolean
  /** What to dial: the destination pods (default), their stand-ins, or both (../plan/stand-ins.ts). */
  target?: ProbeTargetKind
  /** --target was not given: stand-ins only when they fit in one turn of the window (./targets.ts). */
  targetByDefault?: boolean
  /** The cluster's enforcer, when known: disagreements it is known to cause are named. */
  enforcer?: Enforcer
  onEvent?: (event: ProbeRunEvent) => void
  /** Receives the cleanup of the run as soon as something may have been created (for Ctrl-C). */
  onCleanup?: (cleanup: () => Promise<void>) => void
}

export interface ProbeRun {
  runId: string
  /** What was dialled (the real pods when default stand-ins did not fit in one turn). */
  target: ProbeTargetKind
  checks: ReconciledCheck[]
  /** Destinations dialled directly although stand-ins were asked for, and why. */
  notes: string[]
  /** Set when the run's objects could not be deleted: what remains and how to remove it. */
  leftovers?: string
}

export async function runProbes(client: KubeClient, evaluator: Evaluator, jobs: ProbeJob[], options: ProbeRunOptions): Promise<ProbeRun> {
  const sources = uniqueSources(jobs)
  options.onEvent?.({ kind: 'planned', jobs: jobs.length, sources: sources.length })
  const target = options.target ?? 'pods'
  const destinations = target === 'pods' ? [] : jobs.flatMap((j) => (j.to.kind === 'pod' ? [j.to.pod.namespace] : []))
  await preflight(client, options.mode, [...new Set([...sources.map((s) => s.pod.namespace), ...destinations])])

  const runId = randomBytes(4).toString('hex').slice(0, 6)
  const engine = createProbeEngine(client, {
    run: { runId, image: options.image, deadlineSeconds: Math.max(300, options.startTimeout + options.settle + 240) },
    mode: options.mode, checkTimeout: options.checkTimeout, parallelism: options.parallelism, startTimeout: options.startTimeout,
    settle: options.settle, maxProbePods: options.maxProbePods, onEvent: options.onEvent,
  })
  options.onCleanup?.(() => engine.cleanup())
  let probed: Probed
  let leftovers: string | undefined
  try {
    const surroundings = () => readSurroundings(client, [...new Set(destinations)])
    probed = await probeAndSettle(engine, jobs, evaluator, { ...options, target }, surroundings)
  } finally {
    leftovers = await engine.cleanup().then(() => undefined, (error: Error) => error.message)
  }
  return { runId, ...probed, ...(leftovers ? { leftovers } : {}) }
}

type Probed = Pick<ProbeRun, 'target' | 'checks' | 'notes'>

function uniqueSources(jobs: ProbeJob[]): PodEndpoint[] {
  return [...new Map(jobs.map((j) => [j.from.key, j.from])).values()]
}

/**
 * Every job probed and reconciled against its prediction; re-checks as the engine's retry policy
 * decides. A stand-in's check is predicted for the destination it stands in for (same namespace,
 * labels and ports), and a server listens there by construction.
 */
async function probeAndSettle(
  engine: ProbeEngine, jobs: ProbeJob[], evaluator: Evaluator, options: ProbeRunOptions & { target: ProbeTargetKind }, surroundings: () => Promise<StandInSurroundings>,
): Promise<Probed> {
  const predictions = new Map<string, Verdict>()
  const prediction = (job: ProbeJob) => predictions.get(job.id) ?? predictions.set(job.id, predictJob(evaluator, job, options.mode)).get(job.id)!
  const reconcile = (job: ProbeJob, result: ProbeResult, attempts: number) =>
    reconcileOne({ job, prediction: prediction(job), result, attempts, serverListens: (options.serversListen ?? false) || dialsStandIn(job) })
  const { target, settled, notes } = await probeTargets(engine, evaluator, jobs, {
    predicted: (job) => (prediction(job).allowed ? 'allowed' : 'denied'),
    settled: (job, result) => isSettled(reconcile(job, result, 1)),
  }, { kind: options.target, byDefault: options.targetByDefault }, surroundings)
  return { target, checks: settled.map((s) => nameKnownDeviation(reconcile(s.job, s.result, s.attempts), options.enforcer)), notes }
}

/**
 * Re-checked until it agrees (or the settle period passes): a disagreement; a refusal of a
 * predicted-allowed connection, which is what a new probe pod sees before the enforcer has added it
 * to the rules that allow it; and a Service name that did not resolve, which says nothing about the
 * connection and may be a lookup lost on a busy node or DNS egress not yet applied to the new pod.
 * Other unknowns (no SCTP in the kernel, no UDP responder) would not change.
 */
function isSettled(check: ReconciledCheck): boolean {
  return !isDisagreement(check) && !(check.verdict === 'unknown' && (check.observed === 'refused' || check.observed === 'dns-failure'))
}

/**
 * A probe pod is a separate pod with the source's identity, so "a pod to itself" is judged by the
 * policies; an ephemeral container runs inside the source pod, so there it is real loopback.
 */
function predictJob(evaluator: Evaluator, job: ProbeJob, mode: ProbeMode): Verdict {
  return evaluator.evaluate({ from: job.from, to: job.to, port: job.port, protocol: job.protocol }, { loopback: mode === 'ephemeral' ? 'allowed' : 'policy' })
}
