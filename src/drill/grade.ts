// Grading a drill: each expectation line is one check; it passes when every connection it decides
// (the last line naming a connection decides it) was measured as the line says. Only the observation
// counts: the learner's policies are whatever they wrote. Pure.
import type { Explanation } from '../evaluate/explain.js'
import { groupBy, tally } from '../model/collections.js'
import { allowance, observedAllowance, type Allowance, type Observed } from '../model/probe.js'
import type { MeasuredConnection } from '../scenario/compare.js'
import { connectionKey, type ConnectionKey } from '../scenario/expectation.js'
import type { ExpectedConnection } from '../scenario/state.js'

export type GradeOutcome = 'pass' | 'fail' | 'unknown'

export interface ConnectionGrade extends ConnectionKey {
  expected: Allowance
  /** What the learner's policies say, per the evaluator; absent when it was not measured. */
  predicted?: Allowance
  observed: Observed
  outcome: GradeOutcome
  problem?: string
  /** Id of the known enforcer deviation that explains the miss (`--enforcer-hint`). */
  knownDeviation?: string
  /** Why the learner's policies allow or deny it (for misses). */
  explanation?: Explanation
}

export interface ExpectationGrade {
  expectation: string
  /** A required connection must work; a forbidden one must be blocked. */
  kind: 'required' | 'forbidden'
  outcome: GradeOutcome
  connections: number
  misses: ConnectionGrade[]
}

export interface DrillGrade {
  checks: ExpectationGrade[]
  summary: { checks: number; pass: number; fail: number; unknown: number }
}

/**
 * Grades the measured connections against the expected ones. `lines` gives the expectation texts in
 * file order; `explainMiss` adds the evaluator's reasoning to each connection that is not as required.
 */
export function gradeDrill(lines: string[], expected: Map<string, ExpectedConnection>, measured: MeasuredConnection[], explainMiss: (c: ConnectionGrade) => Explanation | undefined = () => undefined): DrillGrade {
  const byKey = groupBy(measured, connectionKey)
  const byLine = groupBy([...expected.values()].map((e) => gradeConnection(e, byKey.get(connectionKey(e)) ?? [])), (g) => expectedText(expected, g))
  const checks = [...new Set(lines)].flatMap((text): ExpectationGrade[] => {
    const graded = byLine.get(text)
    if (!graded) return []
    const misses = graded.filter((g) => g.outcome !== 'pass').map((g) => {
      const explanation = g.outcome === 'fail' ? explainMiss(g) : undefined
      return explanation ? { ...g, explanation } : g
    })
    const outcome = misses.some((m) => m.outcome === 'fail') ? 'fail' : misses.length > 0 ? 'unknown' : 'pass'
    return [{ expectation: text, kind: graded[0].expected === 'allow' ? 'required' : 'forbidden', outcome, connections: graded.length, misses }]
  })
  return { checks, summary: tally(checks, (c) => c.outcome, { pass: 'pass', fail: 'fail', unknown: 'unknown' }) }
}

function expectedText(expected: Map<string, ExpectedConnection>, c: ConnectionKey): string {
  return expected.get(connectionKey(c))!.text
}

/** The worst of a connection's measurements (the cluster DNS has several pods): a failure, then an unknown. */
function gradeConnection(e: ExpectedConnection, measurements: MeasuredConnection[]): ConnectionGrade {
  const key = { from: e.from, to: e.to, port: e.port, protocol: e.protocol }
  const expected = allowance(e.allowed)
  if (measurements.length === 0) return { ...key, expected, observed: 'unknown', outcome: 'unknown', problem: 'not measured: the probe planned no check for this connection' }
  const grades = measurements.map((m) => judge(key, expected, m))
  return grades.find((g) => g.outcome === 'fail') ?? grades.find((g) => g.outcome === 'unknown') ?? grades[0]
}

function judge(key: ConnectionKey, expected: Allowance, m: MeasuredConnection): ConnectionGrade {
  const base = { ...key, expected, predicted: m.predicted, observed: m.observed }
  const observed = observedAllowance(m.observed)
  if (observed === undefined) return { ...base, outcome: 'unknown', problem: m.note ?? `could not be measured (${m.observed})` }
  if (observed === expected) return { ...base, outcome: 'pass' }
  const what = expected === 'allow' ? `required, but the connection was ${m.observed}` : 'forbidden, but the connection still goes through'
  // The learner's policies say the right thing and the cluster still disagrees: not the learner's mistake.
  if (m.knownDeviation) return { ...base, outcome: 'fail', knownDeviation: m.knownDeviation, problem: `${what}; your policies ${expected} it, but the cluster's enforcer departs from the API here: ${m.note}` }
  const enforcement = m.predicted === expected ? `; your policies ${expected} it, so the cluster is not enforcing them (yet): does its CNI enforce NetworkPolicy?` : ''
  return { ...base, outcome: 'fail', problem: what + enforcement }
}
