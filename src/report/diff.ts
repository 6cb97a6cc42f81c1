// Renders a DiffReport: the connections a change gains and loses, lost first, each with the rule
// responsible. Markdown is meant for a pull-request comment.
import { fittedTable } from './columns.js'
import type { DiffReport, DiffRow } from './model.js'

export type DiffFormat = 'table' | 'json' | 'markdown'

/** `width`: what the table must fit (the terminal's, `$COLUMNS` when piped). */
export function renderDiff(report: DiffReport, format: DiffFormat, width = 80): string {
  switch (format) {
    case 'json': return JSON.stringify(report, null, 2) + '\n'
    case 'markdown': return markdown(report)
    case 'table': return table(report, width)
  }
}

function ordered(rows: DiffRow[]): DiffRow[] {
  return [...rows].sort((a, b) => (a.change === b.change ? 0 : a.change === 'lost' ? -1 : 1))
}

/** A group of endpoints, short: the first and how many more. */
function group(keys: string[]): string {
  return keys.length === 1 ? keys[0] : `${keys[0]} (+${keys.length - 1} more)`
}

function headline(report: DiffReport): string {
  const { gained, lost } = report.summary
  if (gained === 0 && lost === 0) return `No connection changes (${report.change.join('; ')}).`
  return `${lost} connection ${lost === 1 ? 'group' : 'groups'} lost, ${gained} gained (${report.change.join('; ')}).`
}

/** kubectl-style columns; a row with reasons on both sides continues on a line of its own. */
function table(report: DiffReport, width: number): string {
  if (report.rows.length === 0) return headline(report) + '\n'
  const rows = ordered(report.rows).flatMap((r) => r.reason.map((reason, i) => i === 0
    ? [r.change === 'lost' ? 'LOST' : 'gained', group(r.from), group(r.to), `${r.protocol}/${r.port}`, reason]
    : ['', '', '', '', reason]))
  return `${headline(report)}\n${fittedTable(['CHANGE', 'FROM', 'TO', 'PORT', 'RULE'], rows, width, { cut: [1, 2], wrap: [4] })}`
}

function markdown(report: DiffReport): string {
  const lines = [`**kubectl netpol diff**: ${headline(report)}`]
  if (report.rows.length > 0) {
    lines.push('', '| change | from | to | port | rule |', '| --- | --- | --- | --- | --- |')
    for (const r of ordered(report.rows)) {
      const cells = [r.change === 'lost' ? '🔴 lost' : '🟢 gained', r.from.join('<br>'), r.to.join('<br>'), `${r.protocol}/${r.port}`, r.reason.map((x) => `\`${x}\``).join('<br>')]
      lines.push(`| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`)
    }
  }
  return lines.join('\n') + '\n'
}
