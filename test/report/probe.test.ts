// What a person reads after a probe: built from the real evaluator, planner and reconciler, with
// observations given as values (the renderer is pure; the cluster paths are covered by e2e tests).
import { describe, expect, it } from 'vitest'
import { createEvaluator } from '../../src/evaluate/evaluate.js'
import { planProbes } from '../../src/plan/plan.js'
import type { ProbeResult } from '../../src/model/probe.js'
import { diagnose, orderForReport, reconcileOne, summarize } from '../../src/reconcile/reconcile.js'
import { checkResult, type ProbeReport } from '../../src/report/model.js'
import { renderJunit, renderProbe } from '../../src/report/probe.js'
import { policy, upstreamWorld } from '../support/world.js'

/** x isolated for ingress from everything but x; the "cluster" lets everything through. */
function reportWhereEverythingConnects(): ProbeReport {
  const world = upstreamWorld([policy('x', 'only-x', { ingress: [{ from: [{ podSelector: {} }] }] })])
  world.pods = world.pods.filter((p) => p.namespace !== 'z')
  const evaluator = createEvaluator(world)
  const { jobs } = planProbes(evaluator, { sources: evaluator.endpoints, destinations: evaluator.endpoints, ports: [{ port: 80, protocol: 'TCP' }], allPods: false, externals: [] })
  const checks = jobs.map((job) => {
    const result: ProbeResult = { jobId: job.id, ran: true, observation: 'connected', elapsedMs: 3, detail: '' }
    return reconcileOne({ job, prediction: evaluator.evaluate({ from: job.from, to: job.to, port: job.port, protocol: job.protocol }, { loopback: 'policy' }), result, attempts: 4, serverListens: false })
  })
  return {
    runId: 'abc123', mode: 'pod', image: 'nicolaka/netshoot:v0.13',
    results: orderForReport(checks).map((c) => checkResult(c, evaluator)),
    summary: { ...summarize(checks), durationMs: 4200 },
    diagnoses: diagnose(checks), skipped: [], warnings: [], notes: [],
  }
}

describe('the probe report', () => {
  const report = reportWhereEverythingConnects()
  const text = renderProbe(report, 'table', false)

  it('summarises, then lists each security finding on one line with the rule that decided it', () => {
    // y has 3 pods reaching 3 pods of x: all predicted denied, all went through.
    expect(report.summary).toMatchObject({ checks: 36, underEnforced: 9, overEnforced: 0 })
    expect(text).toMatch(/UNDER-ENFORCED \(9\): predicted denied, but the connection went through/)
    expect(text).toContain('- y/a → x/a TCP/80: observed allowed via 198.18.1.10:80 after 4 attempt(s); predicted denied by x/only-x ingress (no rule matches)\n')
    const section = text.slice(text.indexOf('UNDER-ENFORCED ('))
    expect(section.split('\n').slice(1, 10).every((l) => l.startsWith('- y/'))).toBe(true)
    expect(text).not.toContain('Ingress to x/a (destination side)')
    expect(text).toContain('--explain (or -o wide)')
  })

  it('puts the diagnosis first', () => {
    expect(text).toMatch(/^DIAGNOSIS\n- the CNI does not appear to enforce NetworkPolicy: all 9 connections predicted denied went through/)
  })

  it('prints plain aligned columns, no box lines', () => {
    expect(text).toMatch(/^CHECKS   AGREE   UNDER-ENFORCED   OVER-ENFORCED   UNKNOWN   TIME\n36       27      9                0               0         4\.2s$/m)
    expect(text).not.toMatch(/[─│┌┐└┘├┤┼]/)
  })

  it('--explain and -o wide add the full trace under each finding', () => {
    for (const traced of [renderProbe(report, 'table', false, true), renderProbe(report, 'wide', false)]) {
      expect(traced).toContain('Ingress to x/a (destination side)')
      expect(traced).toContain('isolated by 1 policy: x/only-x')
      expect(traced).not.toContain('--explain (or -o wide)')
    }
  })

  it('each result names what was dialled and whom the source stands for; only disagreements carry the reasoning', () => {
    const finding = report.results.find((r) => r.from === 'y/a' && r.to === 'x/a')!
    expect(finding).toMatchObject({ port: 80, protocol: 'TCP', predicted: 'denied', observed: 'allowed', verdict: 'under-enforced', target: '198.18.1.10:80', attempts: 4 })
    expect(finding.sources).toContain('y/a')
    expect(finding.explanation?.allowed).toBe(false)
    expect(report.results.filter((r) => r.verdict === 'agree').every((r) => r.explanation === undefined)).toBe(true)
  })

  it('lists findings before anything else in JSON too', () => {
    expect(report.results.slice(0, 9).every((r) => r.verdict === 'under-enforced')).toBe(true)
    expect(JSON.parse(renderProbe(report, 'json', false)).summary.underEnforced).toBe(9)
  })

  it('--matrix shows expected, observed and comparison tables', () => {
    const matrix = renderProbe(report, 'table', true)
    const comparison = matrix.split('\n').filter((l) => l.startsWith('y/a'))
    expect(comparison.at(-1)?.split(/\s+/).slice(0, 4)).toEqual(['y/a', 'U', 'U', 'U'])
  })

  it('JUnit: one failing testcase per disagreement with the explanation in it', () => {
    const xml = renderJunit(report)
    expect(xml).toMatch(/<testsuites tests="36" failures="9" skipped="0"/)
    expect((xml.match(/<failure type="under-enforced"/g) ?? []).length).toBe(9)
    expect(xml).toContain('Result: DENIED')
  })
})
