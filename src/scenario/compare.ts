// One live step: what was observed against what was expected and what was predicted. Pure.
// A connection no expectation names is expected to behave as predicted.
import type { Protocol } from '../model/cluster.js'
import { tally } from '../model/collections.js'
import { allowance, observedAllowance, type Allowance, type Observed } from '../model/probe.js'
import { connectionKey, type ConnectionKey } from './expectation.js'
import type { ExpectedConnection } from './state.js'

export type CheckOutcome = 'pass' | 'fail' | 'unknown' | 'best-effort'

/** What the probe reported for one connection, with pod keys already turned into scenario short names. */
export interface MeasuredConnection extends ConnectionKey {
  predicted: Allowance
  observed: Observed
  note?: string
  /** Id of the known enforcer deviation that explains a disagreement with the prediction (`--enforcer-hint`); the note describes it. */
  knownDeviation?: string
}

export interface StepCheck extends MeasuredConnection {
  expected: Allowance
  /** The expectation line, when one names the connection. */
  expectation?: string
  outcome: CheckOutcome
  /** Why it failed or could not be judged. */
  problem?: string
}

export function compareStep(measured: MeasuredConnection[], expected: Map<string, ExpectedConnection>, bestEffort: Protocol[]): StepCheck[] {
  const seen = new Set<string>()
  const checks = measured.map((m): StepCheck => {
    const key = connectionKey(m)
    seen.add(key)
    const explicit = expected.get(key)
    return judge({ ...m, expected: explicit ? allowance(explicit.allowed) : m.predicted, ...(explicit ? { expectation: explicit.text } : {}) }, bestEffort)
  })
  const unmeasured = [...expected.entries()].filter(([key]) => !seen.has(key)).map(([, e]): StepCheck => ({
    from: e.from, to: e.to, port: e.port, protocol: e.protocol, predicted: allowance(e.allowed), observed: 'unknown',
    expected: allowance(e.allowed), expectation: e.text, outcome: 'unknown', problem: 'not measured: the probe planned no check for this connection',
  }))
  return [...checks, ...unmeasured]
}

function judge(check: Omit<StepCheck, 'outcome'>, bestEffort: Protocol[]): StepCheck {
  const observed = observedAllowance(check.observed)
  if (check.expected !== check.predicted) {
    return { ...check, outcome: 'fail', problem: `the expectation contradicts the policies: expected ${check.expected}, predicted ${check.predicted}` }
  }
  if (observed === undefined) {
    const outcome = bestEffort.includes(check.protocol) ? 'best-effort' : 'unknown'
    return { ...check, outcome, problem: check.note ?? `could not be measured (${check.observed})` }
  }
  if (observed === check.expected) return { ...check, outcome: 'pass' }
  return {
    ...check,
    outcome: 'fail',
    problem: (observed === 'allow'
      ? 'under-enforced: expected deny, but the connection went through'
      : `over-enforced: expected allow, but the connection was ${check.observed}`) + (check.knownDeviation ? `: ${check.note}` : ''),
  }
}

export interface StepSummary {
  checks: number
  pass: number
  fail: number
  unknown: number
  bestEffort: number
}

export function summarizeChecks(checks: StepCheck[]): StepSummary {
  return tally(checks, (c) => c.outcome, { pass: 'pass', fail: 'fail', unknown: 'unknown', bestEffort: 'best-effort' })
}
