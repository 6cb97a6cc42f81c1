// Renders a ProbeReport: the diagnoses first, a summary, then one line per finding (security
// findings first) naming the rule that decided the prediction, then what could not be measured;
// the full explain trace of each finding with --explain or -o wide; the truth tables with --matrix.
import type { ProbeCheckResult, ProbeReport } from './model.js'
import { columnTable } from './columns.js'
import { decidingRule } from './deciding.js'
import { explanationText } from './explain.js'
import { compactTable, escapeXml, indent, toYaml } from './format.js'

export type ProbeFormat = 'table' | 'wide' | 'json' | 'yaml'

export function renderProbe(report: ProbeReport, format: ProbeFormat, matrix: boolean, explain = false): string {
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n'
  if (format === 'yaml') return toYaml(report)
  const traces = explain || format === 'wide'
  return [
    report.diagnoses.length > 0 ? section('DIAGNOSIS', report.diagnoses.map((d) => `- ${d}`)) : '',
    summaryTable(report),
    matrix ? truthTables(report.results) : '',
    format === 'wide' ? checksTable(report.results) : '',
    findings(report, traces),
  ].filter(Boolean).join('\n')
}

function summaryTable(report: ProbeReport): string {
  const s = report.summary
  const table = columnTable(['CHECKS', 'AGREE', 'UNDER-ENFORCED', 'OVER-ENFORCED', 'UNKNOWN', 'TIME'],
    [[s.checks, s.agree, s.underEnforced, s.overEnforced, s.unknown].map(String).concat(`${(s.durationMs / 1000).toFixed(1)}s`)])
  const verdict = s.underEnforced + s.overEnforced > 0
    ? `${s.underEnforced + s.overEnforced} connection(s) behave differently from what the policies say.`
    : s.unknown > 0 ? 'No disagreement, but some checks could not be measured.' : 'Every check agrees with the policies.'
  return `${table}${verdict}\n`
}

function findings(report: ProbeReport, traces: boolean): string {
  const sections: string[] = []
  const under = report.results.filter((r) => r.verdict === 'under-enforced')
  const over = report.results.filter((r) => r.verdict === 'over-enforced')
  const unknown = report.results.filter((r) => r.verdict === 'unknown')
  const line = (r: ProbeCheckResult) => disagreement(r, traces)
  if (under.length > 0) sections.push(section(`UNDER-ENFORCED (${under.length}): predicted denied, but the connection went through — a security finding`, under.map(line)))
  if (over.length > 0) sections.push(section(`OVER-ENFORCED (${over.length}): predicted allowed, but the connection was blocked — this breaks an app`, over.map(line)))
  if (unknown.length > 0) sections.push(section(`UNKNOWN (${unknown.length}): could not be measured (never counted as blocked)`, [unknownTable(unknown)]))
  if (report.skipped.length > 0) sections.push(section('NOT PROBED', report.skipped.map((s) => `- ${s.pod}: ${s.reason}`)))
  if (!traces && under.length + over.length > 0) sections.push('The full reasoning of each finding: --explain (or -o wide), or `kubectl netpol explain --from … --to … --port …`.\n')
  return sections.join('\n')
}

function section(title: string, lines: string[]): string {
  return `${title}\n${lines.join('\n')}\n`
}

function checkLabel(r: ProbeCheckResult): string {
  return `${r.from} → ${r.to} ${r.protocol}/${r.port}`
}

/** One line: the connection, the rule that decided the prediction, what was measured; the trace below it when asked. */
function disagreement(r: ProbeCheckResult, traces: boolean): string {
  const predicted = r.explanation ? decidingRule(r.explanation) : r.predicted
  const head = `- ${checkLabel(r)}: observed ${r.observed} via ${r.target} after ${r.attempts} attempt(s); predicted ${predicted}${r.note ? ` — ${r.note}` : ''}`
  const trace = traces && r.explanation ? `\n    Why the policies say it is ${r.predicted}:\n${indent(explanationText(r.explanation), '      ')}` : ''
  return head + trace
}

function unknownTable(results: ProbeCheckResult[]): string {
  return columnTable(['FROM', 'TO', 'PORT', 'OBSERVED', 'WHY'], results.map((r) => [r.from, r.to, `${r.protocol}/${r.port}`, r.observed, r.note ?? r.detail ?? ''])).trimEnd()
}

function checksTable(results: ProbeCheckResult[]): string {
  return columnTable(['VERDICT', 'FROM', 'TO', 'PORT', 'PREDICTED', 'OBSERVED', 'TARGET', 'ATTEMPTS'],
    results.map((r) => [r.verdict, r.from, r.to, `${r.protocol}/${r.port}`, r.predicted, r.observed, r.target, String(r.attempts)]))
}

/** Expected, observed and comparison truth tables per port, as the upstream e2e framework prints them. */
function truthTables(results: ProbeCheckResult[]): string {
  const ports = [...new Set(results.map((r) => `${r.protocol}/${r.port}`))]
  return ports.map((port) => {
    const rows = results.filter((r) => `${r.protocol}/${r.port}` === port)
    const froms = [...new Set(rows.map((r) => r.from))]
    const tos = [...new Set(rows.map((r) => r.to))]
    const cell = (from: string, to: string, pick: (r: ProbeCheckResult) => string) => {
      const r = rows.find((x) => x.from === from && x.to === to)
      return r ? pick(r) : ''
    }
    const table = (title: string, pick: (r: ProbeCheckResult) => string) => {
      const t = compactTable([`${title} ${port}`, ...tos])
      for (const from of froms) t.push([from, ...tos.map((to) => cell(from, to, pick))])
      return t.toString()
    }
    return [
      table('expected', (r) => (r.predicted === 'allowed' ? '.' : 'X')),
      table('observed', (r) => ({ allowed: '.', blocked: 'X', refused: 'X', unknown: '?', unverifiable: '?', 'dns-failure': '?', error: '?' })[r.observed]),
      table('comparison', (r) => ({ agree: '.', 'under-enforced': 'U', 'over-enforced': 'O', unknown: '?' })[r.verdict]),
    ].join('\n\n') + '\n'
  }).join('\n') + '. allowed/agree   X blocked   U under-enforced   O over-enforced   ? unknown\n'
}

/** JUnit XML: one testcase per check; disagreements fail, unknown checks are skipped. */
export function renderJunit(report: ProbeReport, suiteName = 'kubectl-netpol probe'): string {
  const failures = report.summary.underEnforced + report.summary.overEnforced
  const cases = report.results.map((r) => {
    const name = escapeXml(checkLabel(r))
    const classname = escapeXml(r.from)
    if (r.verdict === 'agree') return `    <testcase classname="${classname}" name="${name}"/>`
    if (r.verdict === 'unknown') return `    <testcase classname="${classname}" name="${name}"><skipped message="${escapeXml(r.note ?? r.detail ?? 'not measured')}"/></testcase>`
    const body = r.explanation ? explanationText(r.explanation) : ''
    return `    <testcase classname="${classname}" name="${name}"><failure type="${r.verdict}" message="${escapeXml(`${r.verdict}: predicted ${r.predicted}, observed ${r.observed}`)}">${escapeXml(body)}</failure></testcase>`
  })
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${report.summary.checks}" failures="${failures}" skipped="${report.summary.unknown}" time="${(report.summary.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${escapeXml(suiteName)}" tests="${report.summary.checks}" failures="${failures}" skipped="${report.summary.unknown}" time="${(report.summary.durationMs / 1000).toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}
