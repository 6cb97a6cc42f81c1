// One probe run over planned jobs: check the permissions it needs, start a probe per source, probe
// every job, re-probe disagreements until they settle, and clean up. Shared by probe, scenario run
// and drill check.
import { randomBytes } from 'node:crypto'
import type { PodEndpoint } from '../evaluate/endpoint.js'
import type { Evaluator, Verdict } from '../evaluate/evaluate.js'
import type { KubeClient } from '../kube/client.js'
import type { ProbeMode } from '../model/probe.js'
import type { ProbeJob } from '../plan/plan.js'
import { isDisagreement, reconcileOne, type ReconciledCheck } from '../reconcile/reconcile.js'
import { createProbeEngine, type ProbeEngine } from './engine.js'
import type { ProbeRunEvent } from './events.js'
import { preflight } from './preflight.js'
import { settleDisagreements } from './settle.js'

export interface ProbeRunOptions {
  mode: ProbeMode
  image: string
  /** Seconds one connection attempt may take. */
  checkTimeout: number
  startTimeout: number
  /** Seconds to keep re-probing disagreements before reporting them. */
  settle: number
  parallelism: number
  /** A server is known to listen on every declared port (scenario worlds). */
  serversListen?: boolean
  onEvent?: (event: ProbeRunEvent) => void
  /** Receives the cleanup of the run as soon as something may have been created (for Ctrl-C). */
  onCleanup?: (cleanup: () => Promise<void>) => void
}

export interface ProbeRun {
  runId: string
  checks: ReconciledCheck[]
}

export async function runProbes(client: KubeClient, evaluator: Evaluator, jobs: ProbeJob[], options: ProbeRunOptions): Promise<ProbeRun> {
  const sources = uniqueSources(jobs)
  options.onEvent?.({ kind: 'planned', jobs: jobs.length, sources: sources.length })
  await preflight(client, options.mode, [...new Set(sources.map((s) => s.pod.namespace))])

  const runId = randomBytes(4).toString('hex').slice(0, 6)
  const engine = createProbeEngine(client, {
    run: { runId, image: options.image, deadlineSeconds: Math.max(300, options.startTimeout + options.settle + 240) },
    mode: options.mode, checkTimeout: options.checkTimeout, parallelism: options.parallelism, startTimeout: options.startTimeout,
    onEvent: options.onEvent,
  })
  options.onCleanup?.(() => engine.cleanup())
  try {
    await engine.prepare(sources)
    return { runId, checks: await probeAndSettle(engine, jobs, evaluator, options) }
  } finally {
    await engine.cleanup()
  }
}

function uniqueSources(jobs: ProbeJob[]): PodEndpoint[] {
  return [...new Map(jobs.map((j) => [j.from.key, j.from])).values()]
}

/** Every job probed and reconciled against its prediction, disagreements re-probed until they settle. */
async function probeAndSettle(engine: ProbeEngine, jobs: ProbeJob[], evaluator: Evaluator, options: ProbeRunOptions): Promise<ReconciledCheck[]> {
  const predictions = new Map(jobs.map((job) => [job.id, predictJob(evaluator, job, options.mode)]))
  return settleDisagreements(jobs, {
    settle: options.settle,
    probe: (round) => engine.probe(round),
    judge: (job, result, attempts) => reconcileOne({ job, prediction: predictions.get(job.id)!, result, attempts, serverListens: options.serversListen ?? false }),
    disagrees: isDisagreement,
    onRound: (pending) => options.onEvent?.({ kind: 'settling', pending }),
  })
}

/**
 * A probe pod is a separate pod with the source's identity, so "a pod to itself" is judged by the
 * policies; an ephemeral container runs inside the source pod, so there it is real loopback.
 */
function predictJob(evaluator: Evaluator, job: ProbeJob, mode: ProbeMode): Verdict {
  return evaluator.evaluate({ from: job.from, to: job.to, port: job.port, protocol: job.protocol }, { loopback: mode === 'ephemeral' ? 'allowed' : 'policy' })
}
