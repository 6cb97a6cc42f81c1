// Text, JSON and YAML renderings of scenario reports.
import { fittedTable } from '../report/columns.js'
import { escapeXml, toYaml } from '../report/format.js'
import type { RunReport, ScenarioRun, ValidateReport } from './report.js'
import type { StepCheck } from './compare.js'
import type { ExpectationCheck, ExpectationReport } from './live-expect.js'

export type ScenarioFormat = 'table' | 'json' | 'yaml'

export function renderValidation(report: ValidateReport, format: ScenarioFormat): string {
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n'
  if (format === 'yaml') return toYaml(report)
  const lines = report.scenarios.map((s) => {
    const problems = s.problems ?? []
    const head = `${s.contradictions.length + problems.length === 0 ? 'ok  ' : 'FAIL'} ${s.file} (${s.name}): ${s.steps} step(s), ${s.expectations} expected connection(s)`
    return [head, ...s.contradictions.map((c) =>
      `     step "${c.step}": ${c.from} -> ${c.to} ${c.protocol}/${c.port}: expected ${c.expected} ("${c.expectation}"), predicted ${c.predicted}: ${c.why}`),
    ...problems.map((p) => `     ${p}`)].join('\n')
  })
  const { scenarios, contradictions } = report.summary
  lines.push(contradictions === 0
    ? `${scenarios} scenario(s): every expectation agrees with the policies.`
    : `${contradictions} expectation(s) contradict what the policies say.`)
  return lines.join('\n') + '\n'
}

/** `width`: what the step table must fit (the terminal's, `$COLUMNS` when piped). */
export function renderRun(report: RunReport, format: ScenarioFormat, width = 80): string {
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n'
  if (format === 'yaml') return toYaml(report)
  return [...report.scenarios.map((run) => scenarioText(run, width)), verdictLine(report.summary)].join('\n') + '\n'
}

function scenarioText(run: ScenarioRun, width: number): string {
  const rows = run.steps.map((step, i) => {
    const { checks, pass, fail, unknown, bestEffort } = step.summary
    return [`${i + 1}. ${step.name}`, ...(step.skipped ? ['-', '-', '-', '-', '-'] : [checks, pass, fail, unknown, bestEffort].map(String))]
  })
  const table = fittedTable(['STEP', 'CHECKS', 'PASS', 'FAIL', 'UNKNOWN', 'BEST-EFFORT'], rows, width, { wrap: [0] })
  const where = run.kept ? `kept for inspection: ${run.namespaces.join(', ')}` : `run ${run.runId}`
  const sections = [`${run.name} (${run.file}, ${where}, ${(run.durationMs / 1000).toFixed(1)}s)`, table.trimEnd()]
  const skipped = run.steps.filter((s) => s.skipped).map((s) => `- step "${s.name}": ${s.skipped}`)
  if (skipped.length > 0) sections.push(`NOT PROBED (${skipped.length})`, ...skipped)
  const failures = run.steps.flatMap((s) => s.checks.filter((c) => c.outcome === 'fail').map((c) => `- step "${s.name}": ${checkText(c)}`))
  if (failures.length > 0) sections.push(`FAILED (${failures.length})`, ...failures)
  const unknown = run.steps.flatMap((s) => s.checks.filter((c) => c.outcome === 'unknown').map((c) => `- step "${s.name}": ${checkText(c)}`))
  if (unknown.length > 0) sections.push(`UNKNOWN (${unknown.length}): could not be measured (never counted as blocked)`, ...unknown)
  const diagnoses = [...new Set(run.steps.flatMap((s) => s.diagnoses))]
  if (diagnoses.length > 0) sections.push('DIAGNOSIS', ...diagnoses.map((d) => `- ${d}`))
  return sections.join('\n') + '\n'
}

export function checkText(c: StepCheck): string {
  const expected = c.expectation ? `expected ${c.expected} ("${c.expectation}")` : `expected ${c.expected} (as predicted)`
  return `${c.from} -> ${c.to} ${c.protocol}/${c.port}: ${c.problem ?? 'ok'}; ${expected}, predicted ${c.predicted}, observed ${c.observed}`
}

function verdictLine(s: RunReport['summary']): string {
  const counts = `${s.scenarios} scenario(s), ${s.checks} check(s): ${s.pass} pass, ${s.fail} fail, ${s.unknown} unknown, ${s.bestEffort} best-effort`
  if (s.fail > 0) return `${counts}. Some connections do not behave as the scenarios expect.`
  return s.unknown > 0 ? `${counts}. No failure, but some checks could not be measured.` : `${counts}. Every scenario behaves as expected.`
}

/** JUnit XML: a test suite per scenario, a test case per step; unmeasured or unprobed steps are skipped. */
export function renderRunJunit(report: RunReport): string {
  const suites = report.scenarios.map((run) => {
    const cases = run.steps.map((step) => {
      const open = `    <testcase classname="${escapeXml(run.name)}" name="${escapeXml(step.name)}"`
      const failed = step.checks.filter((c) => c.outcome === 'fail')
      if (failed.length > 0) return `${open}><failure message="${escapeXml(`${failed.length} connection(s) do not behave as expected`)}">${escapeXml(failed.map(checkText).join('\n'))}</failure></testcase>`
      if (step.skipped) return `${open}><skipped message="${escapeXml(`not probed: ${step.skipped}`)}"/></testcase>`
      if (step.summary.unknown > 0) return `${open}><skipped message="${escapeXml(`${step.summary.unknown} check(s) could not be measured`)}"/></testcase>`
      return `${open}/>`
    })
    const failures = run.steps.filter((s) => s.summary.fail > 0).length
    return [`  <testsuite name="${escapeXml(run.name)}" tests="${run.steps.length}" failures="${failures}" time="${(run.durationMs / 1000).toFixed(3)}">`, ...cases, '  </testsuite>'].join('\n')
  })
  return ['<?xml version="1.0" encoding="UTF-8"?>', '<testsuites>', ...suites, '</testsuites>', ''].join('\n')
}

/** The `probe --expect` section of a table report (nothing for JSON and YAML: the report carries it). */
export function renderExpectations(report: ExpectationReport | undefined, format: string): string {
  if (!report || format === 'json' || format === 'yaml') return ''
  const { checks, pass, violated, unknown } = report.summary
  const lines = [`\nEXPECTATIONS (${report.file}): ${checks} connection(s) covered: ${pass} pass, ${violated} violated, ${unknown} unknown`]
  for (const c of report.checks.filter((c) => c.outcome !== 'pass')) lines.push(`- ${c.outcome.toUpperCase()}: ${expectationCheckText(c)}`)
  return lines.join('\n') + '\n'
}

function expectationCheckText(c: ExpectationCheck): string {
  return `${c.from} -> ${c.to} ${c.protocol}/${c.port}: expected ${c.expected} ("${c.expectation}"), observed ${c.observed}`
}

/** Adds a test suite with one test case per covered connection to the probe's JUnit document. */
export function withExpectationsJunit(junit: string, report: ExpectationReport | undefined): string {
  if (!report) return junit
  const cases = report.checks.map((c) => {
    const open = `    <testcase classname="${escapeXml(c.expectation)}" name="${escapeXml(`${c.from} -> ${c.to} ${c.protocol}/${c.port}`)}"`
    if (c.outcome === 'violated') return `${open}><failure message="${escapeXml(expectationCheckText(c))}"/></testcase>`
    return c.outcome === 'unknown' ? `${open}><skipped message="${escapeXml(`observed ${c.observed}`)}"/></testcase>` : `${open}/>`
  })
  const suite = [`  <testsuite name="kubectl-netpol expectations" tests="${report.summary.checks}" failures="${report.summary.violated}" skipped="${report.summary.unknown}">`, ...cases, '  </testsuite>'].join('\n')
  return junit.replace('</testsuites>', `${suite}\n</testsuites>`)
}
