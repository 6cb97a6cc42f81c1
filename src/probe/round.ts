// One round for one source: its checks (and controls) sent to its probe container in one exec of
// the checker, the output read back as results, and what the exec says about the load fed back to
// the adaptive limiter.
import type { ExecResult, ExecTarget } from '../kube/client.js'
import type { ProbeJob } from '../plan/plan.js'
import type { ProbeResult } from '../model/probe.js'
import { checkerCommand, checkerLag, checkerNeighbours, type CheckerCheck } from './checker.js'
import { failSource, type EngineContext } from './context.js'
import { adjustLimit, execLimits, spreadOrder, type ExecFeedback } from './limiter.js'
import { isTrouble, troubleDuring } from './neighbours.js'
import { checkMode, parseScriptOutput } from './script.js'
import type { RoundCheck, RoundOutcome, RoundRequest } from './source-settle.js'

/** Seconds an exec may take beyond what its checks need (exec set-up, a slow API server). */
const EXEC_SLACK_S = 20

export interface SourcePosition {
  /** The source's index among the run's sources, to spread the containers over the destinations. */
  index: number
  /** Every destination host of the run, in one order. */
  hosts: string[]
}

export async function probeSourceRound(context: EngineContext, source: string, request: RoundRequest, position: SourcePosition): Promise<RoundOutcome> {
  const runner = context.runners.get(source) ?? { failed: 'no probe container was started for this source' }
  const all = [...request.checks, ...request.controls]
  if ('failed' in runner) return { results: all.map(({ job }) => ({ jobId: job.id, ran: false, reason: 'pod-failed', detail: runner.failed })) }
  const { checks, unverifiable } = checkerChecks(all)
  if (checks.length === 0) return { results: unverifiable }
  const ordered = spreadOrder(checks, (c) => c.host, position.index, position.hosts)
  const { limiter } = context
  const share = execLimits(limiter.limit, limiter.sharers)
  const limits = { ...share, inFlight: Math.min(share.inFlight, context.options.parallelism) }
  const startedAt = Date.now()
  const exec = await context.client.exec(runner, checkerCommand(ordered, limits), execTimeoutMs(ordered, limits.inFlight, limits.perDestination))
  const span = { startedAt, endedAt: Date.now() }
  const gone = exec.stdout.includes('NETPOL-DONE') ? undefined : await probePodGone(context, runner)
  if (gone) failSource(context, source, gone)
  const results = checkResults(all.map((c) => c.job), checks, exec, gone)
  Object.assign(limiter, adjustLimit(limiter, feedback(results, exec, startedAt), Date.now()))
  const sighting = checkerNeighbours(exec.stdout)
  if (isTrouble(sighting)) context.neighbourTroubles.push({ ...span, ...sighting })
  return { results: [...unverifiable, ...results], lagMs: checkerLag(exec.stdout), span, neighbourTrouble: troubleDuring(span, context.neighbourTroubles) }
}

/** The checks the checker can run, indexed by position in `all`; a UDP port without a known responder cannot be verified. */
function checkerChecks(all: RoundCheck[]): { checks: CheckerCheck[]; unverifiable: ProbeResult[] } {
  const checks: CheckerCheck[] = []
  const unverifiable: ProbeResult[] = []
  all.forEach(({ job, timeoutMs }, index) => {
    const mode = checkMode(job.protocol, job.udpResponder)
    if (mode) checks.push({ index, mode, host: job.target.host, port: job.target.port, timeoutMs })
    else unverifiable.push({ jobId: job.id, ran: false, reason: 'unverifiable', detail: 'UDP port without a known responder' })
  })
  return { checks, unverifiable }
}

/** Enough for every check to wait its whole timeout at the given bounds, plus slack. */
function execTimeoutMs(checks: CheckerCheck[], inFlight: number, perDestination: number): number {
  const longest = Math.max(...checks.map((c) => c.timeoutMs))
  const perHost = new Map<string, number>()
  for (const c of checks) perHost.set(c.host, (perHost.get(c.host) ?? 0) + 1)
  const waves = Math.max(Math.ceil(checks.length / inFlight), ...[...perHost.values()].map((n) => Math.ceil(n / perDestination)))
  return waves * longest + EXEC_SLACK_S * 1000
}

/**
 * After an exec that did not finish: why the probe pod can run no more checks (deleted, being
 * deleted or evicted), or undefined when it is still there or the API cannot say (it may be down:
 * then the checks are run again while the settle period lasts).
 */
async function probePodGone(context: EngineContext, { namespace, pod }: ExecTarget): Promise<string | undefined> {
  const metadata = await context.client.readMetadata({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name: pod } }).catch(() => null)
  // In ephemeral mode the probe container runs in the source pod itself.
  const which = context.options.mode === 'pod' ? 'probe pod' : 'source pod'
  if (metadata === undefined) return `the ${which} ${namespace}/${pod} was deleted during the run`
  if (metadata?.deleting) return `the ${which} ${namespace}/${pod} was being deleted (or evicted) during the run`
  return undefined
}

/**
 * A check the output has no line for did not run: `not-probed`, with what the exec said, to be run
 * again; `pod-failed` when its probe pod is gone, so it cannot be.
 */
function checkResults(jobs: ProbeJob[], checks: CheckerCheck[], exec: ExecResult, podGone: string | undefined): ProbeResult[] {
  const outcomes = new Map(parseScriptOutput(exec.stdout, checks).map((o) => [o.index, o]))
  const execSaid = exec.error ?? (exec.stderr.trim() || `exit code ${exec.exitCode}`)
  return checks.map((check): ProbeResult => {
    const job = jobs[check.index]
    const outcome = outcomes.get(check.index)
    if (outcome) return { jobId: job.id, ran: true, observation: outcome.observation, elapsedMs: outcome.elapsedMs, detail: outcome.detail }
    return podGone
      ? { jobId: job.id, ran: false, reason: 'pod-failed', detail: `${podGone} (${execSaid})` }
      : { jobId: job.id, ran: false, reason: 'not-probed', detail: `the probe container gave no result: ${execSaid}` }
  })
}

/** What the exec says about the load: how fast its connects answered and how late the checker woke. */
function feedback(results: ProbeResult[], exec: ExecResult, startedAt: number): ExecFeedback {
  return {
    startedAt,
    controlMs: results.flatMap((r) => (r.ran && r.observation === 'connected' ? [r.elapsedMs] : [])),
    lagMs: checkerLag(exec.stdout),
  }
}
