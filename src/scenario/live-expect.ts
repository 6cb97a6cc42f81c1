// `probe --expect`: expectations about a cluster's existing pods, judged against what the probe
// measured. Pods are named NAMESPACE/POD, NAMESPACE/* or NAMESPACE/LABEL-SELECTOR. Pure.
import type { PodEndpoint } from '../evaluate/endpoint.js'
import type { Protocol } from '../model/cluster.js'
import type { ReconciledCheck } from '../reconcile/reconcile.js'
import { tally } from '../model/collections.js'
import { allowance, observedAllowance, type Allowance, type Observed } from '../model/probe.js'
import { expandExpectation, expectationCovers, ExpectationSyntaxError, type Candidate, type Expectation, type ExpectedOf } from './expectation.js'
import { scenarioError } from './model.js'

export type ExpectationOutcome = 'pass' | 'violated' | 'unknown'

export interface ExpectationCheck extends ExpectedOf {
  observed: Observed
  outcome: ExpectationOutcome
}

export interface ExpectationReport {
  file: string
  checks: ExpectationCheck[]
  summary: { checks: number; pass: number; violated: number; unknown: number }
}

export type LocatedExpectation = Expectation & { path: string }

export function podCandidate(endpoint: PodEndpoint): Candidate {
  const { pod } = endpoint
  return { id: endpoint.key, namespace: pod.namespace, name: pod.name, labels: pod.labels, ports: pod.ports.map((p) => ({ port: p.containerPort, protocol: p.protocol, ...(p.name ? { name: p.name } : {}) })) }
}

/** Fails (exit 2, before anything is created) when an expectation names no pod in scope. */
export function checkNames(expectations: LocatedExpectation[], pods: Candidate[], file: string): void {
  for (const expectation of expectations) {
    try {
      expandExpectation(expectation, pods, pods)
    } catch (error) {
      if (error instanceof ExpectationSyntaxError) throw scenarioError(file, expectation.path, `${error.message} (among the pods in scope)`)
      throw error
    }
  }
}

/** The reconciled checks between pods, as the expectations judge them. */
export function measuredChecks(checks: ReconciledCheck[]): MeasuredCheck[] {
  return checks.flatMap((c) => {
    const port = c.prediction.resolvedPort
    if (c.job.to.kind !== 'pod' || port === undefined) return []
    return [{ from: podCandidate(c.job.from), to: podCandidate(c.job.to), port, protocol: c.job.protocol, observed: c.observed }]
  })
}

export interface MeasuredCheck {
  from: Candidate
  to: Candidate
  port: number
  protocol: Protocol
  observed: Observed
}

/**
 * A refused connection did not go through: that meets "deny" and breaks "allow", whether the CNI
 * rejected it (kube-router does) or nothing listens; the report's observed value says which it was.
 */
function judge(expected: Allowance, observed: Observed): ExpectationOutcome {
  const measured = observedAllowance(observed)
  if (measured === undefined) return 'unknown'
  return measured === expected ? 'pass' : 'violated'
}

/** Each measured connection some expectation covers, judged by the last expectation that covers it. */
export function judgeExpectations(file: string, expectations: Expectation[], measured: MeasuredCheck[]): ExpectationReport {
  const checks = measured.flatMap((m): ExpectationCheck[] => {
    const expectation = [...expectations].reverse().find((e) => expectationCovers(e, m.from, m.to, m.port, m.protocol))
    if (!expectation) return []
    const expected = allowance(expectation.allowed)
    return [{
      expectation: expectation.text, from: m.from.id, to: m.to.id, port: m.port, protocol: m.protocol, expected, observed: m.observed,
      outcome: judge(expected, m.observed),
    }]
  })
  return { file, checks, summary: tally(checks, (c) => c.outcome, { pass: 'pass', violated: 'violated', unknown: 'unknown' }) }
}
