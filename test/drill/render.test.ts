import { parseAllDocuments } from 'yaml'
import { describe, expect, it } from 'vitest'
import { nextHint, type Drill } from '../../src/drill/model.js'
import { renderCheck, renderHint, renderSolution } from '../../src/drill/render.js'
import type { CheckReport } from '../../src/drill/report.js'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import { explain } from '../../src/evaluate/explain.js'
import { policy, upstreamWorld } from '../support/world.js'

const drill = { hints: ['one', 'two'] } as Drill

describe('hints', () => {
  it.each([
    [0, { number: 1, text: 'one', remaining: 1 }],
    [1, { number: 2, text: 'two', remaining: 0 }],
    [2, undefined],
  ])('after %i given, the next is %o', (shown, next) => {
    expect(nextHint(drill, shown)).toEqual(next)
  })

  it('renders the hint with how many are left, and points at the solution once none is', () => {
    expect(renderHint({ drill: 'd', hints: [{ number: 1, text: 'one' }], total: 2, remaining: 1 })).toBe('Hint 1/2: one\n(1 more: kubectl netpol drill hint d)\n')
    expect(renderHint({ drill: 'd', hints: [], total: 2, remaining: 0 })).toBe('No more hints for d (all 2 given). The reference answer: kubectl netpol drill solution d\n')
  })
})

describe('the solution', () => {
  it('is multi-document YAML of complete NetworkPolicies that kubectl apply accepts', () => {
    const manifests = [
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'a', namespace: 'x' }, spec: { podSelector: {} } },
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'b', namespace: 'y' }, spec: { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] } },
    ]
    const text = renderSolution('d', manifests)
    expect(text.split('\n')[0]).toBe('# Reference solution of drill d: kubectl netpol drill solution d | kubectl apply -f -')
    expect(parseAllDocuments(text).map((d) => d.toJS())).toEqual(manifests)
  })
})

describe('the check report', () => {
  const report = (fail: number): CheckReport => ({
    drill: 'd', title: 'T', namespaces: ['x'], diagnoses: [], durationMs: 1,
    summary: { checks: 2, pass: 2 - fail, fail, unknown: 0 },
    checks: [
      { expectation: 'a -> b allow', kind: 'required', outcome: 'pass', connections: 1, misses: [] },
      { expectation: '* -> b deny', kind: 'forbidden', outcome: fail ? 'fail' : 'pass', connections: 2, misses: fail ? [{ from: 'c', to: 'b', port: 80, protocol: 'TCP', expected: 'deny', predicted: 'allow', observed: 'allowed', outcome: 'fail', problem: 'forbidden, but the connection still goes through' }] : [] },
    ],
  })

  it('gives the score and each miss in readable form', () => {
    const text = renderCheck(report(1))
    expect(text).toContain('✔ required   a -> b allow\n✘ forbidden  * -> b deny   (1 of 2 connection(s) not as required)\n    c -> b TCP/80: forbidden, but the connection still goes through\n')
    expect(text).toContain('1/2 checks pass, 1 fail.')
  })

  it('puts the diagnosis first and names the deciding rule on the miss line; the trace only with --explain', () => {
    const evaluator = createEvaluator(upstreamWorld([policy('x', 'only-x', { ingress: [{ from: [{ podSelector: {} }] }] })]))
    const [from, to] = [evaluator.endpoint('y/a')!, evaluator.endpoint('x/a')!]
    const explanation = explain(evaluator.evaluate({ from, to, port: 80, protocol: 'TCP' }), evaluator)
    const failing = report(1)
    failing.diagnoses = ['the CNI does not appear to enforce NetworkPolicy']
    failing.checks[1].misses[0] = { ...failing.checks[1].misses[0], from: 'y/a', to: 'x/a', predicted: 'deny', explanation }
    const text = renderCheck(failing)
    expect(text.split('\n').slice(0, 4)).toEqual(['Drill d: T', '', 'Diagnosis:', '- the CNI does not appear to enforce NetworkPolicy'])
    expect(text).toContain('    y/a -> x/a TCP/80: forbidden, but the connection still goes through; your policies: denied by x/only-x ingress (no rule matches)\n')
    expect(text).not.toContain('Ingress to x/a (destination side)')
    expect(text).toContain('kubectl netpol drill check d --explain')
    expect(renderCheck(failing, true)).toContain('Ingress to x/a (destination side)')
  })

  it('congratulates when everything passes', () => {
    expect(renderCheck(report(0))).toContain('2/2 checks pass.\nWell done')
  })
})
