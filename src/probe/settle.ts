// The settle loop: policies take effect eventually, so a disagreement is reported only once it
// has held for the settle period (or the job agrees on a later round).
import { sleep } from '../kube/poll.js'
import type { ProbeJob } from '../plan/plan.js'
import type { ProbeResult } from '../model/probe.js'

export interface SettleOptions<C> {
  /** Seconds to keep re-probing disagreements. */
  settle: number
  /** Runs one round of jobs. */
  probe(jobs: ProbeJob[]): Promise<ProbeResult[]>
  /** Judges one result; `attempts` counts the rounds the job took part in. */
  judge(job: ProbeJob, result: ProbeResult, attempts: number): C
  disagrees(check: C): boolean
  onRound?(pending: number): void
}

/** A round that went fast (connections that succeed) still waits this long, so re-probing never spins against the API server. */
export const SETTLE_ROUND_MS = 1000

/** Probes every job once, then re-probes the disagreements until they agree or the settle period ends. */
export async function settleDisagreements<C extends { job: ProbeJob; attempts: number }>(jobs: ProbeJob[], options: SettleOptions<C>): Promise<C[]> {
  const byId = new Map(jobs.map((j) => [j.id, j]))
  const checks = new Map((await options.probe(jobs)).map((r) => [r.jobId, options.judge(byId.get(r.jobId)!, r, 1)]))
  const deadline = Date.now() + options.settle * 1000
  let pending = [...checks.values()].filter(options.disagrees)
  while (pending.length > 0 && Date.now() < deadline) {
    options.onRound?.(pending.length)
    const roundStarted = Date.now()
    for (const result of await options.probe(pending.map((c) => c.job))) {
      const previous = checks.get(result.jobId)!
      checks.set(result.jobId, options.judge(previous.job, result, previous.attempts + 1))
    }
    pending = pending.map((c) => checks.get(c.job.id)!).filter(options.disagrees)
    await sleep(Math.max(0, SETTLE_ROUND_MS - (Date.now() - roundStarted)))
  }
  return [...checks.values()]
}
