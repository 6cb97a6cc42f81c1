// Renders a PredictReport. The default table is a truth table per port (like the upstream e2e
// output) when it fits the terminal, otherwise a list with denied connections first.
import Table from 'cli-table3'
import type { PortQuery } from '../evaluate/matrix.js'
import type { PredictReport, PredictResult } from './model.js'
import { compactTable, toYaml } from './format.js'

export type PredictFormat = 'table' | 'wide' | 'json' | 'yaml' | 'markdown'

export function renderPredict(report: PredictReport, format: PredictFormat, width: number): string {
  switch (format) {
    case 'json': return JSON.stringify({ results: report.results, warnings: report.warnings, notes: report.notes }, null, 2) + '\n'
    case 'yaml': return toYaml({ results: report.results, warnings: report.warnings, notes: report.notes })
    case 'markdown': return report.queries.map((q) => markdownMatrix(report, q)).join('\n')
    case 'wide': return listTable(report.results, true)
    case 'table': {
      const matrices = report.queries.map((q) => truthTable(report, q))
      return matrices.every((m) => maxLineWidth(m) <= width) ? matrices.join('\n') + LEGEND : listTable(report.results, false)
    }
  }
}

const LEGEND = '\n. allowed   X denied   * relies on a CNI-defined default (see `explain`)\n'

export function queryLabel(q: PortQuery): string {
  return `${q.protocol}/${q.port}`
}

function resultsFor(report: PredictReport, q: PortQuery): Map<string, PredictResult> {
  return new Map(report.results.filter((r) => r.port === q.port && r.protocol === q.protocol).map((r) => [`${r.from}\0${r.to}`, r]))
}

function cell(result: PredictResult | undefined): string {
  if (!result) return ''
  return (result.allowed ? '.' : 'X') + (result.cniDefined ? '*' : '')
}

function truthTable(report: PredictReport, q: PortQuery): string {
  const results = resultsFor(report, q)
  const table = compactTable([queryLabel(q), ...report.destinations])
  for (const from of report.sources) table.push([from, ...report.destinations.map((to) => cell(results.get(`${from}\0${to}`)))])
  return table.toString() + '\n'
}

function markdownMatrix(report: PredictReport, q: PortQuery): string {
  const results = resultsFor(report, q)
  const header = `| ${queryLabel(q)} | ${report.destinations.join(' | ')} |`
  const rule = `|${' --- |'.repeat(report.destinations.length + 1)}`
  const rows = report.sources.map((from) =>
    `| ${from} | ${report.destinations.map((to) => cell(results.get(`${from}\0${to}`)) || ' ').join(' | ')} |`)
  return [header, rule, ...rows].join('\n') + '\n'
}

function listTable(results: PredictResult[], wide: boolean): string {
  const ordered = [...results].sort((a, b) => Number(a.allowed) - Number(b.allowed))
  const table = new Table({
    head: ['VERDICT', 'FROM', 'TO', 'PORT', ...(wide ? ['EGRESS', 'INGRESS', 'CNI-DEFINED'] : [])],
    style: { head: [], border: [] },
  })
  for (const r of ordered) {
    table.push([
      r.allowed ? 'allowed' : 'DENIED', r.from, r.to, `${r.protocol}/${r.port}${r.resolvedPort !== undefined ? ` (${r.resolvedPort})` : ''}`,
      ...(wide ? [sideText(r.egress), sideText(r.ingress), (r.cniDefined ?? []).join(',')] : []),
    ])
  }
  return table.toString() + '\n'
}

function sideText(side: PredictResult['egress']): string {
  if (side.decidedBy) return side.decidedBy
  if (!side.isolated) return 'not isolated'
  return side.allowedBy.length > 0 ? side.allowedBy.join('\n') : 'isolated, no rule matches'
}

function maxLineWidth(text: string): number {
  return Math.max(...text.split('\n').map((l) => l.length))
}
