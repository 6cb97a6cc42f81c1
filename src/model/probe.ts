// What a probe measured, as plain values: produced by the probe engine, read by the reconciler
// and the reports. No exceptions: a probe that could not run is an outcome too.

/** What one check observed. `refused` is ambiguous on purpose: some enforcers reject, or nothing listens. */
export type Observation = 'connected' | 'refused' | 'timeout' | 'dns-failure' | 'unreachable' | 'unresolved' | 'error'

export type NotRunReason = 'unverifiable' | 'pod-failed' | 'not-probed'

/** What happened to one job's probe. */
export type ProbeResult =
  | { jobId: string; ran: true; observation: Observation; elapsedMs: number; detail: string }
  | { jobId: string; ran: false; reason: NotRunReason; detail: string }

/** Why a timeout became unknown: a probe pod saw the node's neighbour table full or evicting while it waited (probe/neighbours.ts). */
export const NEIGHBOUR_INCONCLUSIVE = 'inconclusive: the node\'s neighbour (ARP) table was full or evicting entries while this check waited, so its timeout is no evidence'

/** How the in-container checker words a connect whose next hop never answered ARP or lost its entry. */
export function isUnresolvedHop(detail: string): boolean {
  return /^no (ARP answer|neighbour entry)/.test(detail)
}

export type ProbeMode = 'pod' | 'ephemeral'

export type Predicted = 'allowed' | 'denied'
export type Observed = 'allowed' | 'blocked' | 'refused' | 'dns-failure' | 'error' | 'unverifiable' | 'unknown'
export type CheckVerdict = 'agree' | 'over-enforced' | 'under-enforced' | 'unknown'

/** Allowed or denied, as expectations write it. */
export type Allowance = 'allow' | 'deny'

export function allowance(allowed: boolean): Allowance {
  return allowed ? 'allow' : 'deny'
}

/**
 * What an observation says about the connection: it went through (allow), it did not (deny: a
 * timeout, or a refusal, whether the CNI rejected it or nothing listens), or it cannot be judged.
 * Used wherever a measurement is held against an expectation (scenario run, drill check, --expect).
 */
export function observedAllowance(observed: Observed): Allowance | undefined {
  if (observed === 'allowed') return 'allow'
  if (observed === 'blocked' || observed === 'refused') return 'deny'
  return undefined
}
