// How many checks the run keeps in flight, and how each probe container's share is ordered. Pure.
//
// The bound is shared by the probe containers running at the same time and adapts like TCP's
// congestion window: each finished exec reports how fast its controls answered (the connects that
// succeeded in it) and how late the checker woke; when either is slow the bound halves, otherwise
// it grows by a step. As in TCP, one episode of load halves it once: the containers' execs end
// together, and those that started before the last halving ran under the old bound, so what they
// report (slow or fast) says nothing about the new one and changes nothing. A dropped SYN shows as
// a connect of a second or more (the kernel resends it after 1 s), so overloaded servers show in
// the slowest tenth of the connects. Timeouts themselves are no sign of load: denied connections
// time out, and a policy still being applied looks the same. A server should not see dozens of
// simultaneous SYNs from us either: each container dials one destination host at a time, and
// every source walks the destinations from a different starting point, so at any moment the
// containers are spread over different servers. The bound starts at 256 across the window and
// is shared by the window's containers from the first exec on, so a burst never starts the run.
import type { CheckerLimits } from './checker.js'

export interface LimiterBounds {
  initial: number
  min: number
  max: number
  /** Added after an exec that was fast throughout. */
  step: number
  /** A control connect slower than this (ms) means the path or the servers are loaded. */
  slowControlMs: number
  /** A checker that woke this much later than it meant to (ms) means the node is starved of CPU. */
  slowLagMs: number
}

export const DEFAULT_LIMITER: LimiterBounds = { initial: 256, min: 16, max: 512, step: 32, slowControlMs: 500, slowLagMs: 250 }

/** The bound, and when it was last halved (ms, the caller's clock). */
export interface LimiterState {
  limit: number
  halvedAt: number
}

/** What one exec says about the load it ran under. */
export interface ExecFeedback {
  /** When the exec started (ms, the caller's clock). */
  startedAt: number
  /** Elapsed ms of the checks in it that connected (they are the controls: known reachable, just measured). */
  controlMs: number[]
  /** NETPOL-LAG: how late the checker woke at worst; undefined when it did not finish. */
  lagMs?: number
}

export function isSlow(feedback: ExecFeedback, bounds: LimiterBounds = DEFAULT_LIMITER): boolean {
  return (feedback.lagMs ?? 0) > bounds.slowLagMs || percentile90(feedback.controlMs) > bounds.slowControlMs
}

/** The next total in-flight bound after an exec finished at `now`. */
export function adjustLimit(state: LimiterState, feedback: ExecFeedback, now: number, bounds: LimiterBounds = DEFAULT_LIMITER): LimiterState {
  if (feedback.startedAt < state.halvedAt) return state
  if (isSlow(feedback, bounds)) return { limit: Math.max(bounds.min, Math.floor(state.limit / 2)), halvedAt: now }
  return { ...state, limit: Math.min(bounds.max, state.limit + bounds.step) }
}

/** A container's share from which it may have two connects to one host at a time. */
const TWO_PER_HOST_FROM = 24

/**
 * One container's share of the total, shared by `sharers` containers (the window). One connect to a
 * host at a time, two when few containers share a large bound (a small run): a denied connect that
 * waits out --timeout then holds up only half of that host's checks.
 */
export function execLimits(limit: number, sharers: number): CheckerLimits {
  const inFlight = Math.max(1, Math.floor(limit / Math.max(1, sharers)))
  return { inFlight, perDestination: inFlight >= TWO_PER_HOST_FROM ? 2 : 1 }
}

/**
 * A source's checks in the order its container dials them: by destination host, starting at the
 * source's own offset in the list of all destination hosts, so that two sources start on different
 * servers and stay apart while they progress at the same pace.
 */
export function spreadOrder<T>(checks: T[], hostOf: (check: T) => string, sourceIndex: number, hosts: string[]): T[] {
  const position = new Map(hosts.map((host, i) => [host, i]))
  const count = hosts.length
  const rank = (check: T) => {
    const index = position.get(hostOf(check))
    return index === undefined ? count : (index - (sourceIndex % count) + count) % count
  }
  return checks.map((check, i) => ({ check, i, rank: rank(check) })).sort((a, b) => a.rank - b.rank || a.i - b.i).map((c) => c.check)
}

function percentile90(values: number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length * 0.9)]
}
