// One probe run over planned jobs: check the permissions it needs, start a probe per source, probe
// every job, re-probe disagreements until they settle, and clean up. Shared by probe, scenario run
// and drill check.
import { randomBytes } from 'node:crypto'
import type { PodEndpoint } from '../evaluate/endpoint.js'
import type { Evaluator, Verdict } from '../evaluate/evaluate.js'
import type { KubeClient } from '../kube/client.js'
import { ClusterError } from '../model/errors.js'
import type { ProbeMode, ProbeResult } from '../model/probe.js'
import type { ProbeJob } from '../plan/plan.js'
import { isDisagreement, reconcileOne, type ReconciledCheck } from '../reconcile/reconcile.js'
import { createProbeEngine } from './engine.js'
import type { ProbeRunEvent } from './events.js'

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

/** Exec over WebSocket is authorized as `get` on pods/exec by current API servers, as `create` by others. */
const EXEC_PERMISSIONS: Permission[] = [{ verb: 'get', resource: 'pods', subresource: 'exec' }, { verb: 'create', resource: 'pods', subresource: 'exec' }]

interface Permission {
  verb: string
  resource: string
  subresource?: string
}

/** Fails before creating anything when a permission the run needs is missing, naming each one. */
async function preflight(client: KubeClient, mode: ProbeMode, namespaces: string[]): Promise<void> {
  const needed: Permission[] = mode === 'pod'
    ? [
        { verb: 'create', resource: 'configmaps' }, { verb: 'deletecollection', resource: 'configmaps' },
        { verb: 'create', resource: 'pods' }, { verb: 'list', resource: 'pods' }, { verb: 'deletecollection', resource: 'pods' },
        ...EXEC_PERMISSIONS,
      ]
    : [{ verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers' }, { verb: 'list', resource: 'pods' }, ...EXEC_PERMISSIONS]
  const checks = namespaces.flatMap((namespace) => needed.map((p) => ({ ...p, namespace })))
  const answers = await Promise.all(checks.map((c) => client.canI(c)))
  const missing = checks.filter((_, i) => !answers[i]).map((c) => `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ''} in ${c.namespace}`)
  if (missing.length > 0) throw new ClusterError(`permission denied: missing ${missing.join(', ')} (see deploy/rbac.yaml)`)
}

/**
 * Probes every job once, then re-probes disagreements: policies take effect eventually, so a
 * disagreement is reported only once it has held for the settle period (or the job agrees).
 */
async function probeAndSettle(engine: ReturnType<typeof createProbeEngine>, jobs: ProbeJob[], evaluator: Evaluator, options: ProbeRunOptions): Promise<ReconciledCheck[]> {
  const predictions = new Map(jobs.map((job) => [job.id, predictJob(evaluator, job, options.mode)]))
  const reconcile = (job: ProbeJob, result: ProbeResult, attempts: number) =>
    reconcileOne({ job, prediction: predictions.get(job.id)!, result, attempts, serverListens: options.serversListen ?? false })
  const byId = new Map(jobs.map((j) => [j.id, j]))
  const checks = new Map((await engine.probe(jobs)).map((r) => [r.jobId, reconcile(byId.get(r.jobId)!, r, 1)]))
  const deadline = Date.now() + options.settle * 1000
  let pending = [...checks.values()].filter(isDisagreement)
  while (pending.length > 0 && Date.now() < deadline) {
    options.onEvent?.({ kind: 'settling', pending: pending.length })
    const roundStarted = Date.now()
    for (const result of await engine.probe(pending.map((c) => c.job))) {
      const previous = checks.get(result.jobId)!
      checks.set(result.jobId, reconcile(previous.job, result, previous.attempts + 1))
    }
    pending = pending.map((c) => checks.get(c.job.id)!).filter(isDisagreement)
    // Pace the rounds: a fast round (connections that succeed) should not spin against the API server.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - roundStarted))))
  }
  return [...checks.values()]
}

/**
 * A probe pod is a separate pod with the source's identity, so "a pod to itself" is judged by the
 * policies; an ephemeral container runs inside the source pod, so there it is real loopback.
 */
function predictJob(evaluator: Evaluator, job: ProbeJob, mode: ProbeMode): Verdict {
  return evaluator.evaluate({ from: job.from, to: job.to, port: job.port, protocol: job.protocol }, { loopback: mode === 'ephemeral' ? 'allowed' : 'policy' })
}
