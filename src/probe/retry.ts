// When a check's observation may be reported, and what its next attempt is. Pure.
//
// A timeout is evidence only when the probe was healthy while it waited:
// - predicted allowed, observed blocked (an over-enforcement candidate): re-checked with longer
//   timeouts (2 s → 4 s → 8 s, none past the settle deadline) until the settle period has passed,
//   and reported blocked only if in the round of its last attempt a control check from the same
//   probe container (to a target that container reached before) answered promptly; otherwise the
//   check is unknown: "inconclusive: the probe could not get a timely answer from anything".
// - predicted denied, observed blocked: agreement, provided the checker kept its deadlines in that
//   exec (it woke on time); a starved checker's timeouts are re-checked, then unknown.
// - a check that did not run (the exec went away): re-run while the settle period lasts, then
//   unknown with the reason; one whose probe pod is gone is unknown at once. Never blocked.
// Other disagreements are re-probed at the normal timeout until they agree or the settle period
// has passed: policies take effect eventually.

export const INCONCLUSIVE = 'inconclusive: the probe could not get a timely answer from anything'

export interface RetryPolicy {
  /** The first attempt's timeout (--timeout). */
  baseTimeoutMs: number
  /** Timeouts stop growing here. */
  maxTimeoutMs: number
  /** A control answered within this is prompt. */
  promptMs: number
  /** An attempt shorter than this is not worth making. */
  minTimeoutMs: number
  /** The checker woke later than this: its timeouts are not evidence. */
  maxLagMs: number
}

export function retryPolicy(baseTimeoutMs: number): RetryPolicy {
  return { baseTimeoutMs, maxTimeoutMs: baseTimeoutMs * 4, promptMs: 1000, minTimeoutMs: 1000, maxLagMs: 500 }
}

/** One measurement of a check, with what the exec it ran in says about the probe's health. */
export interface Attempt {
  /** `cannot-run`: the check can never run (its probe pod is gone), so it is final. */
  observation: 'answered' | 'timeout' | 'other' | 'not-run' | 'cannot-run'
  timeoutMs: number
  /** The fastest control that connected in the same exec (ms), if any. */
  controlMs?: number
  /** How late the checker woke at worst in that exec. */
  lagMs?: number
}

export type Expectation = 'allowed' | 'denied'

export type Decision =
  /** The last attempt stands: report it. */
  | { kind: 'report' }
  /** Measure again, with this timeout, and (for an over-enforcement candidate) a control beside it. */
  | { kind: 'retry'; timeoutMs: number; control: boolean }
  /** Report unknown with this reason instead of the last attempt. */
  | { kind: 'unknown'; reason: string }

export interface CheckHistory {
  predicted: Expectation
  attempts: Attempt[]
  /** Whether the last attempt agrees with the prediction (reconciled by the caller). */
  agrees: boolean
}

/** What to do with a check after its latest attempt, given how much of the settle period is left. */
export function decide(history: CheckHistory, remainingMs: number, policy: RetryPolicy): Decision {
  const last = history.attempts[history.attempts.length - 1]
  const timeRemains = remainingMs >= policy.minTimeoutMs
  if (last.observation === 'cannot-run') return { kind: 'report' }
  if (last.observation === 'not-run') {
    return timeRemains ? { kind: 'retry', timeoutMs: clamp(policy.baseTimeoutMs, remainingMs), control: false } : { kind: 'report' }
  }
  if (last.observation === 'timeout' && history.predicted === 'allowed') return decideBlockedAllowed(history.attempts, remainingMs, policy)
  if (last.observation === 'timeout' && (last.lagMs ?? Infinity) > policy.maxLagMs) {
    if (timeRemains) return { kind: 'retry', timeoutMs: clamp(last.timeoutMs, remainingMs), control: false }
    return { kind: 'unknown', reason: last.lagMs === undefined ? INCONCLUSIVE : `inconclusive: the probe container was too slow to keep its deadlines (woke ${last.lagMs} ms late)` }
  }
  if (history.agrees || !timeRemains) return { kind: 'report' }
  return { kind: 'retry', timeoutMs: clamp(policy.baseTimeoutMs, remainingMs), control: false }
}

function decideBlockedAllowed(attempts: Attempt[], remainingMs: number, policy: RetryPolicy): Decision {
  const last = attempts[attempts.length - 1]
  const next = Math.min(policy.maxTimeoutMs, last.timeoutMs * 2)
  if (remainingMs >= policy.minTimeoutMs) return { kind: 'retry', timeoutMs: clamp(next, remainingMs), control: true }
  const retried = attempts.slice(1).some((a) => a.timeoutMs > attempts[0].timeoutMs)
  const controlPrompt = last.controlMs !== undefined && last.controlMs <= policy.promptMs
  return retried && controlPrompt ? { kind: 'report' } : { kind: 'unknown', reason: INCONCLUSIVE }
}

function clamp(timeoutMs: number, remainingMs: number): number {
  return Math.max(0, Math.min(timeoutMs, Math.floor(remainingMs)))
}
