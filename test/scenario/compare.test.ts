import { describe, expect, it } from 'vitest'
import { compareStep, summarizeChecks, type MeasuredConnection } from '../../src/scenario/compare.js'
import type { ExpectedConnection } from '../../src/scenario/state.js'

const measured = (predicted: 'allow' | 'deny', observed: MeasuredConnection['observed'], protocol: MeasuredConnection['protocol'] = 'TCP'): MeasuredConnection =>
  ({ from: 'a', to: 'b', port: 80, protocol, predicted, observed })
const expectation = (allowed: boolean, protocol = 'TCP'): Map<string, ExpectedConnection> =>
  new Map([[`a>b:80/${protocol}`, { from: 'a', to: 'b', port: 80, protocol: protocol as 'TCP', allowed, text: `a -> b:80 ${allowed ? 'allow' : 'deny'}` }]])

describe('a measured connection against its expectation and prediction', () => {
  it.each([
    ['observed as expected passes', measured('deny', 'blocked'), expectation(false), 'pass', undefined],
    ['a refusal counts as denied: the server listens', measured('deny', 'refused'), expectation(false), 'pass', undefined],
    ['without an expectation, the prediction is expected', measured('allow', 'allowed'), new Map(), 'pass', undefined],
    ['expected deny but went through is under-enforced', measured('deny', 'allowed'), expectation(false), 'fail', 'under-enforced: expected deny, but the connection went through'],
    ['expected allow but blocked is over-enforced', measured('allow', 'blocked'), new Map(), 'fail', 'over-enforced: expected allow, but the connection was blocked'],
    ['an expectation the policies contradict fails whatever is observed', measured('allow', 'allowed'), expectation(false), 'fail', 'the expectation contradicts the policies: expected deny, predicted allow'],
    ['an unmeasurable check is unknown', measured('allow', 'error'), new Map(), 'unknown', 'could not be measured (error)'],
    ['an unmeasurable check of a best-effort protocol is best-effort', measured('allow', 'error', 'SCTP'), new Map(), 'best-effort', 'could not be measured (error)'],
  ] as const)('%s', (_, m, expected, outcome, problem) => {
    const [check] = compareStep([m], expected as Map<string, ExpectedConnection>, ['SCTP'])
    expect(check.outcome).toBe(outcome)
    expect(check.problem).toBe(problem)
  })

  it('a disagreement a known enforcer deviation explains fails, and the problem names the deviation', () => {
    const note = 'known kube-router deviation (kube-router/ingress-rule-lets-selected-pods-out): …'
    const [check] = compareStep([{ ...measured('deny', 'allowed'), knownDeviation: 'kube-router/ingress-rule-lets-selected-pods-out', note }], expectation(false), [])
    expect(check).toMatchObject({ outcome: 'fail', knownDeviation: 'kube-router/ingress-rule-lets-selected-pods-out' })
    expect(check.problem).toBe(`under-enforced: expected deny, but the connection went through: ${note}`)
  })

  it('reports an expected connection the probe did not measure as unknown', () => {
    const checks = compareStep([], expectation(true), [])
    expect(checks).toMatchObject([{ from: 'a', to: 'b', outcome: 'unknown', expectation: 'a -> b:80 allow' }])
    expect(summarizeChecks(checks)).toEqual({ checks: 1, pass: 0, fail: 0, unknown: 1, bestEffort: 0 })
  })
})
