// One source's checks from its probe container until each may be reported: a first round of all
// of them, then rounds of re-checks as ./retry.ts decides, each over-enforcement candidate with a
// control check beside it (a target this container reached before). The settle period starts when
// the first round ends. A source's probe pod is released as soon as this is done, so the window
// moves on. Knows nothing of the cluster: rounds run through `probeRound`.
import type { ProbeJob } from '../plan/plan.js'
import type { ProbeResult } from '../model/probe.js'
import { isTimeout, type Span } from './neighbours.js'
import { decide, type Attempt, type Expectation, type RetryPolicy } from './retry.js'

export interface RoundCheck {
  job: ProbeJob
  timeoutMs: number
}

export interface RoundRequest {
  checks: RoundCheck[]
  /** Checks that connected before, run beside the others to show the path and the container are healthy. */
  controls: RoundCheck[]
}

export interface RoundOutcome {
  /** One per check and control, by job id. */
  results: ProbeResult[]
  /** How late the checker woke at worst; undefined when it did not finish. */
  lagMs?: number
  /** When the round's exec ran; undefined when there was none. */
  span?: Span
  /** A probe pod of the run saw the node's neighbour table full or evicting during the round: its timeouts are no evidence. */
  neighbourTrouble?: boolean
}

export interface SourceSettleOptions {
  jobs: ProbeJob[]
  predicted(job: ProbeJob): Expectation
  /** Whether a result agrees with the prediction (the reconciler's verdict). */
  agrees(job: ProbeJob, result: ProbeResult): boolean
  probeRound(request: RoundRequest): Promise<RoundOutcome>
  policy: RetryPolicy
  settleMs: number
  /** A round that went fast still takes this long, so re-checks never spin. */
  minRoundMs: number
  now(): number
  sleep(ms: number): Promise<void>
}

export interface SettledCheck {
  job: ProbeJob
  result: ProbeResult
  attempts: number
  /** When the round that measured the result ran. */
  span?: Span
}

interface History {
  job: ProbeJob
  result: ProbeResult
  span?: Span
  attempts: Attempt[]
}

export async function settleSource(options: SourceSettleOptions): Promise<SettledCheck[]> {
  const { policy } = options
  const histories = new Map<string, History>()
  const check = (job: ProbeJob, timeoutMs: number): RoundCheck => ({ job, timeoutMs })
  await runRound(options, histories, options.jobs.map((job) => check(job, policy.baseTimeoutMs)), [])
  const deadline = options.now() + options.settleMs
  for (;;) {
    const remaining = deadline - options.now()
    const retries = [...histories.values()].flatMap((h) => {
      const decision = decide(historyOf(h, options), remaining, policy)
      return decision.kind === 'retry' ? [{ ...check(h.job, decision.timeoutMs), control: decision.control }] : []
    })
    if (retries.length === 0) break
    const started = options.now()
    const controls = retries.some((r) => r.control) ? pickControls(histories, new Set(retries.map((r) => r.job.id))) : []
    await runRound(options, histories, retries, controls.map((job) => check(job, policy.promptMs)))
    await options.sleep(Math.max(0, options.minRoundMs - (options.now() - started)))
  }
  return [...histories.values()].map((h) => finalCheck(h, options))
}

async function runRound(options: SourceSettleOptions, histories: Map<string, History>, checks: RoundCheck[], controls: RoundCheck[]): Promise<void> {
  const outcome = await options.probeRound({ checks, controls })
  const results = new Map(outcome.results.map((r) => [r.jobId, r]))
  const controlMs = fastestAnswer([...checks, ...controls].map((c) => results.get(c.job.id)))
  for (const check of checks) {
    const result = results.get(check.job.id) ?? { jobId: check.job.id, ran: false, reason: 'not-probed', detail: 'the probe container gave no result for this check' }
    const history = histories.get(check.job.id) ?? { job: check.job, result, attempts: [] }
    history.result = result
    history.span = outcome.span
    history.attempts.push({ observation: attemptObservation(result, outcome), timeoutMs: check.timeoutMs, controlMs, lagMs: outcome.lagMs })
    histories.set(check.job.id, history)
  }
  for (const control of controls) {
    const result = results.get(control.job.id)
    const history = histories.get(control.job.id)
    if (result && history && isAnswer(result)) Object.assign(history, { result, span: outcome.span })
  }
}

/** The two fastest checks that connected so far (and are not being re-checked themselves). */
function pickControls(histories: Map<string, History>, retrying: Set<string>): ProbeJob[] {
  return [...histories.values()]
    .filter((h) => !retrying.has(h.job.id) && isAnswer(h.result))
    .sort((a, b) => elapsed(a.result) - elapsed(b.result))
    .slice(0, 2)
    .map((h) => h.job)
}

function historyOf(h: History, options: SourceSettleOptions) {
  return { predicted: options.predicted(h.job), attempts: h.attempts, agrees: options.agrees(h.job, h.result) }
}

function finalCheck(h: History, options: SourceSettleOptions): SettledCheck {
  const decision = decide(historyOf(h, options), 0, options.policy)
  const result: ProbeResult = decision.kind === 'unknown' ? { jobId: h.job.id, ran: false, reason: 'not-probed', detail: decision.reason } : h.result
  return { job: h.job, result, attempts: h.attempts.length, span: h.span }
}

/**
 * A check whose destination address was never resolved did not reach any policy, and a timeout
 * while the node's neighbour table was in trouble proves nothing: like a check that did not run.
 */
function attemptObservation(result: ProbeResult, outcome: RoundOutcome): Attempt['observation'] {
  if (!result.ran) return result.reason === 'not-probed' ? 'not-run' : result.reason === 'pod-failed' ? 'cannot-run' : 'other'
  if (result.observation === 'unresolved' || (outcome.neighbourTrouble && isTimeout(result))) return 'not-run'
  if (isTimeout(result)) return 'timeout'
  return result.observation === 'connected' ? 'answered' : 'other'
}

function isAnswer(result: ProbeResult): boolean {
  return result.ran && result.observation === 'connected'
}

function elapsed(result: ProbeResult): number {
  return result.ran ? result.elapsedMs : Infinity
}

function fastestAnswer(results: Array<ProbeResult | undefined>): number | undefined {
  const times = results.filter((r): r is ProbeResult => r !== undefined && isAnswer(r)).map(elapsed)
  return times.length > 0 ? Math.min(...times) : undefined
}
