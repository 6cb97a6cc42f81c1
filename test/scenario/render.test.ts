import { describe, expect, it } from 'vitest'
import { scenarioExitCode } from '../../src/commands/scenario/run.js'
import { compareStep, summarizeChecks } from '../../src/scenario/compare.js'
import { renderRun, renderRunJunit } from '../../src/scenario/render.js'
import type { RunReport, StepRun } from '../../src/scenario/report.js'

const expected = new Map([['outside>web:80/TCP', { from: 'outside', to: 'web', port: 80, protocol: 'TCP' as const, allowed: false, text: '* -> app/* deny' }]])

function report(observed: 'allowed' | 'blocked' | 'error'): RunReport {
  const checks = compareStep([{ from: 'outside', to: 'web', port: 80, protocol: 'TCP', predicted: 'deny', observed }], expected, [])
  const steps: StepRun[] = [
    { name: 'deny everything in app', checks, summary: summarizeChecks(checks), diagnoses: observed === 'allowed' ? ['the CNI does not appear to enforce NetworkPolicy'] : [] },
    { name: 'pinned addresses', skipped: 'pins the stand-in pod addresses', checks: [], summary: summarizeChecks([]), diagnoses: [] },
  ]
  return {
    scenarios: [{ file: 'scenarios/d.yaml', name: 'default deny', runId: 'abc123', namespaces: ['np-abc123-app'], kept: false, steps, durationMs: 1000 }],
    summary: { ...summarizeChecks(checks), scenarios: 1, durationMs: 1000 },
  }
}

describe('scenario run reports', () => {
  it('name each failed connection with what was expected, predicted and observed, and the diagnosis', () => {
    const text = renderRun(report('allowed'), 'table')
    expect(text).toContain('FAILED (1)\n- step "deny everything in app": outside -> web TCP/80: under-enforced: expected deny, but the connection went through; expected deny ("* -> app/* deny"), predicted deny, observed allowed')
    expect(text).toContain('DIAGNOSIS\n- the CNI does not appear to enforce NetworkPolicy')
    expect(text).toContain('NOT PROBED (1)\n- step "pinned addresses": pins the stand-in pod addresses')
  })

  it('print the steps as kubectl-style columns (no box lines) that fit the width', () => {
    const text = renderRun(report('allowed'), 'table', 60)
    expect(text).toContain([
      'STEP            CHECKS   PASS   FAIL   UNKNOWN   BEST-EFFORT',
      '1. deny         1        0      1      0         0',
      'everything in',
      'app',
      '2. pinned       -        -      -      -         -',
      'addresses',
    ].join('\n'))
    expect(text).not.toMatch(/[─│┌┐└┘├┤┼]/)
    for (const line of text.split('\n').slice(1, 7)) expect(line.length).toBeLessThanOrEqual(60)
    expect(renderRun(report('allowed'), 'table', 100)).toMatch(/\n1\. deny everything in app +1 +0 +1 +0 +0\n2\. pinned addresses +- +- +- +- +-\n/)
  })

  it('exit 1 on a failure, 3 when only unmeasured checks remain, 0 otherwise', () => {
    expect(scenarioExitCode(report('allowed'))).toBe(1)
    expect(scenarioExitCode(report('error'))).toBe(3)
    expect(scenarioExitCode(report('blocked'))).toBe(0)
  })

  it('JUnit: a suite per scenario, a case per step; failures carry the connections, unprobed steps are skipped', () => {
    const xml = renderRunJunit(report('allowed'))
    expect(xml).toContain('<testsuite name="default deny" tests="2" failures="1"')
    expect(xml).toContain('<testcase classname="default deny" name="deny everything in app"><failure message="1 connection(s) do not behave as expected">outside -&gt; web TCP/80: under-enforced')
    expect(xml).toContain('<testcase classname="default deny" name="pinned addresses"><skipped message="not probed: pins the stand-in pod addresses"/></testcase>')
  })
})
