// Predicted versus observed, per job: a keyed join on job id. Pure.
import type { Verdict } from '../evaluate/evaluate.js'
import { tally } from '../model/collections.js'
import { allowance, isUnresolvedHop, NEIGHBOUR_INCONCLUSIVE, observedAllowance, type CheckVerdict, type Observed, type Predicted, type ProbeResult } from '../model/probe.js'
import type { ProbeJob } from '../plan/plan.js'

export interface ReconciledCheck {
  job: ProbeJob
  predicted: Predicted
  observed: Observed
  verdict: CheckVerdict
  /** Why the verdict is what it is, when that is not obvious from the two words. */
  note?: string
  /** Id of the known enforcer deviation that explains a disagreement (see deviations.ts). */
  knownDeviation?: string
  detail: string
  attempts: number
  prediction: Verdict
}

export interface Summary {
  checks: number
  agree: number
  overEnforced: number
  underEnforced: number
  unknown: number
}

export function observedOf(result: ProbeResult): Observed {
  if (!result.ran) return result.reason === 'unverifiable' ? 'unverifiable' : 'unknown'
  switch (result.observation) {
    case 'connected': return 'allowed'
    case 'timeout':
    case 'unreachable': return 'blocked'
    case 'unresolved': return 'error'
    case 'refused': return 'refused'
    case 'dns-failure': return 'dns-failure'
    case 'error': return 'error'
  }
}

export interface ReconcileInput {
  job: ProbeJob
  prediction: Verdict
  result: ProbeResult
  attempts: number
  /** True when we know a server listens on the target (scenario worlds), so a refusal is a policy reject. */
  serverListens: boolean
}

export function reconcileOne({ job, prediction, result, attempts, serverListens }: ReconcileInput): ReconciledCheck {
  const predicted: Predicted = prediction.allowed ? 'allowed' : 'denied'
  const observed = observedOf(result)
  const judged = judge(predicted, observed, serverListens, result)
  const note = [judged.note, job.target.fallback].filter(Boolean).join('; ') || undefined
  return { job, predicted, observed, verdict: judged.verdict, note, detail: result.detail, attempts, prediction }
}

function judge(predicted: Predicted, observed: Observed, serverListens: boolean, result: ProbeResult): { verdict: CheckVerdict; note?: string } {
  const measured = observedAllowance(observed)
  if (measured !== undefined) return judgeMeasured(predicted, measured, observed === 'refused', serverListens)
  switch (observed) {
    case 'dns-failure':
      return { verdict: 'unknown', note: 'the Service name did not resolve from the source: check its DNS egress' }
    case 'unverifiable':
      return { verdict: 'unknown', note: 'UDP without a known responder: a silent port looks the same as a blocked one' }
    case 'error':
      return { verdict: 'unknown', note: `the probe could not run the check: ${result.detail}` }
    default:
      return { verdict: 'unknown', note: result.ran ? undefined : result.detail }
  }
}

/** A refusal counts as a denial; only when nothing is known to listen can it not break a predicted allow. */
function judgeMeasured(predicted: Predicted, measured: 'allow' | 'deny', refused: boolean, serverListens: boolean): { verdict: CheckVerdict; note?: string } {
  if (measured === allowance(predicted === 'allowed')) {
    if (!refused) return { verdict: 'agree' }
    return { verdict: 'agree', note: serverListens ? 'refused: the CNI rejects denied connections' : 'refused: the CNI rejects denied connections (or nothing listens)' }
  }
  if (measured === 'allow') return { verdict: 'under-enforced' }
  if (!refused) return { verdict: 'over-enforced' }
  return serverListens
    ? { verdict: 'over-enforced', note: 'predicted allowed, but the connection was rejected although a server listens' }
    : { verdict: 'unknown', note: 'connection refused: either nothing listens on that port or the CNI rejected it; the probe cannot tell which' }
}

export function summarize(checks: ReconciledCheck[]): Summary {
  return tally(checks, (c) => c.verdict, { agree: 'agree', overEnforced: 'over-enforced', underEnforced: 'under-enforced', unknown: 'unknown' })
}

/** Disagreements first (under-enforced, the security findings, before over-enforced), then unknown, then agreement. */
export function orderForReport(checks: ReconciledCheck[]): ReconciledCheck[] {
  const rank: Record<CheckVerdict, number> = { 'under-enforced': 0, 'over-enforced': 1, unknown: 2, agree: 3 }
  return [...checks].sort((a, b) => rank[a.verdict] - rank[b.verdict] || a.job.id.localeCompare(b.job.id))
}

export function isDisagreement(check: ReconciledCheck): boolean {
  return check.verdict === 'over-enforced' || check.verdict === 'under-enforced'
}

/** Patterns across checks that point at one cause. */
export function diagnose(checks: ReconciledCheck[]): string[] {
  const diagnoses: string[] = []
  const deniedObserved = checks.filter((c) => c.predicted === 'denied' && ['allowed', 'blocked', 'refused'].includes(c.observed))
  if (deniedObserved.length > 0 && deniedObserved.every((c) => c.observed === 'allowed')) {
    diagnoses.push(`the CNI does not appear to enforce NetworkPolicy: all ${deniedObserved.length} connections predicted denied went through (is a policy enforcer such as Calico, Cilium or kube-router installed?)`)
  }
  const dnsSources = [...new Set(checks.filter((c) => c.observed === 'dns-failure').map((c) => c.job.from.key))]
  if (dnsSources.length > 0) {
    diagnoses.push(`name lookups failed from ${dnsSources.slice(0, 5).join(', ')}${dnsSources.length > 5 ? ', …' : ''}: this looks like missing DNS egress (allow UDP and TCP 53 to kube-system/k8s-app=kube-dns)`)
  }
  const unresolved = checks.filter((c) => c.observed === 'error' && isUnresolvedHop(c.detail))
  if (unresolved.length > 0) {
    diagnoses.push(`${unresolved.length} check(s) got no ARP answer from their destination or lost its neighbour entry, so no policy was involved: the node's neighbour table may be full (net.ipv4.neigh.default.gc_thresh3 bounds the entries of all its pods together); probe fewer pods at once (--max-probe-pods) or raise it`)
  }
  const neighbourTimeouts = checks.filter((c) => c.observed === 'unknown' && c.detail === NEIGHBOUR_INCONCLUSIVE)
  if (neighbourTimeouts.length > 0) {
    diagnoses.push(`${neighbourTimeouts.length} check(s) timed out while the probe pods saw the node's neighbour (ARP) table full or evicting entries, so they are unknown: a full table drops packets in either direction (net.ipv4.neigh.default.gc_thresh3 bounds the entries of all pods of a node together); probe fewer pods at once (--max-probe-pods) or raise it`)
  }
  const failedSources = new Map<string, string>()
  for (const c of checks) if (c.observed === 'unknown' && c.detail && !c.detail.startsWith('inconclusive')) failedSources.set(c.job.from.key, c.detail)
  for (const [source, detail] of failedSources) diagnoses.push(`no probe ran for ${source}: ${detail}`)
  return diagnoses
}
