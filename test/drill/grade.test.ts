import { describe, expect, it } from 'vitest'
import { gradeDrill } from '../../src/drill/grade.js'
import type { MeasuredConnection } from '../../src/scenario/compare.js'
import type { ExpectedConnection } from '../../src/scenario/state.js'

const expected = (...lines: Array<[string, string, number, boolean, string]>) =>
  new Map(lines.map(([from, to, port, allowed, text]): [string, ExpectedConnection] => [`${from}>${to}:${port}/TCP`, { from, to, port, protocol: 'TCP', allowed, text }]))

const measured = (from: string, to: string, port: number, observed: MeasuredConnection['observed'], predicted: 'allow' | 'deny' = 'deny'): MeasuredConnection =>
  ({ from, to, port, protocol: 'TCP', observed, predicted })

describe('drill grading', () => {
  it.each([
    ['a required connection that connects passes', true, 'allowed', 'pass'],
    ['a required connection that is refused fails', true, 'refused', 'fail'],
    ['a required connection that times out fails', true, 'blocked', 'fail'],
    ['a forbidden connection that goes through fails', false, 'allowed', 'fail'],
    ['a forbidden connection refused by the enforcer passes (kube-router rejects)', false, 'refused', 'pass'],
    ['a forbidden connection dropped by the enforcer passes', false, 'blocked', 'pass'],
    ['a connection the probe could not run is unknown, never blocked', false, 'unknown', 'unknown'],
  ] as const)('%s', (_, allowed, observed, outcome) => {
    const grade = gradeDrill(['line'], expected(['a', 'b', 80, allowed, 'line']), [measured('a', 'b', 80, observed)])
    expect(grade.checks[0].outcome).toBe(outcome)
  })

  it('counts one check per expectation line, in file order, skipping lines every connection of which a later line overrides', () => {
    const lines = ['* -> b deny', 'a -> b allow', 'overridden']
    const grade = gradeDrill(lines, expected(['a', 'b', 80, true, 'a -> b allow'], ['c', 'b', 80, false, '* -> b deny']), [measured('a', 'b', 80, 'allowed'), measured('c', 'b', 80, 'refused')])
    expect(grade.checks.map((c) => [c.expectation, c.kind, c.outcome])).toEqual([['* -> b deny', 'forbidden', 'pass'], ['a -> b allow', 'required', 'pass']])
    expect(grade.summary).toEqual({ checks: 2, pass: 2, fail: 0, unknown: 0 })
  })

  it('fails a line when one of its connections fails, listing only the misses', () => {
    const grade = gradeDrill(['* -> b deny'], expected(['a', 'b', 80, false, '* -> b deny'], ['c', 'b', 80, false, '* -> b deny']), [measured('a', 'b', 80, 'allowed', 'allow'), measured('c', 'b', 80, 'blocked')])
    expect(grade.checks[0]).toMatchObject({ outcome: 'fail', connections: 2, misses: [{ from: 'a', to: 'b', problem: 'forbidden, but the connection still goes through' }] })
  })

  it('names the known enforcer deviation when it explains why right policies are not enforced', () => {
    const note = 'known kube-router deviation (kube-router/ingress-rule-lets-selected-pods-out): …'
    const grade = gradeDrill(['l'], expected(['a', 'b', 80, false, 'l']), [{ ...measured('a', 'b', 80, 'allowed', 'deny'), knownDeviation: 'kube-router/ingress-rule-lets-selected-pods-out', note }])
    expect(grade.checks[0].outcome).toBe('fail')
    expect(grade.checks[0].misses[0]).toMatchObject({ knownDeviation: 'kube-router/ingress-rule-lets-selected-pods-out' })
    expect(grade.checks[0].misses[0].problem).toBe(`forbidden, but the connection still goes through; your policies deny it, but the cluster's enforcer departs from the API here: ${note}`)
  })

  it('says when the policies are right but the cluster does not enforce them', () => {
    const grade = gradeDrill(['l'], expected(['a', 'b', 80, false, 'l']), [measured('a', 'b', 80, 'allowed', 'deny')])
    expect(grade.checks[0].misses[0].problem).toBe('forbidden, but the connection still goes through; your policies deny it, so the cluster is not enforcing them (yet): does its CNI enforce NetworkPolicy?')
  })

  it('judges a destination with several pods (the cluster DNS) by its worst measurement', () => {
    const grade = gradeDrill(['l'], expected(['a', 'dns', 53, true, 'l']), [measured('a', 'dns', 53, 'allowed', 'allow'), measured('a', 'dns', 53, 'refused', 'allow')])
    expect(grade.checks[0].misses).toMatchObject([{ observed: 'refused', outcome: 'fail' }])
  })

  it('reports an expected connection the probe did not measure as unknown', () => {
    const grade = gradeDrill(['l'], expected(['a', 'b', 80, true, 'l']), [])
    expect(grade.checks[0]).toMatchObject({ outcome: 'unknown', misses: [{ problem: 'not measured: the probe planned no check for this connection' }] })
    expect(grade.summary.unknown).toBe(1)
  })

  it('asks for an explanation of each failed connection only', () => {
    const asked: string[] = []
    gradeDrill(['l'], expected(['a', 'b', 80, true, 'l'], ['c', 'b', 80, true, 'l'], ['d', 'b', 80, true, 'l']),
      [measured('a', 'b', 80, 'refused'), measured('c', 'b', 80, 'allowed'), measured('d', 'b', 80, 'error')],
      (c) => { asked.push(c.from); return undefined })
    expect(asked).toEqual(['a'])
  })
})
