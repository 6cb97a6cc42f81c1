// Text renderings of the drill commands, worded for someone practising for CKA/CKS.
import { decidingRule } from '../report/deciding.js'
import { explanationText } from '../report/explain.js'
import { fittedTable } from '../report/columns.js'
import { indent, toYaml } from '../report/format.js'
import type { CheckReport, DrillSummary, HintReport, ResetReport, StartReport } from './report.js'
import type { ExpectationGrade } from './grade.js'

/** kubectl-style columns that fit `width`: a title that does not fit wraps. */
export function renderList(drills: DrillSummary[], width: number): string {
  const table = fittedTable(['NAME', 'DIFFICULTY', 'TITLE'], drills.map((d) => [d.name, d.difficulty, d.title]), width, { wrap: [2] })
  return `${table}\nStart one with: kubectl netpol drill start NAME\n`
}

export function renderStart(report: StartReport): string {
  const setup = report.policies.length > 0 ? [`Policies that already exist: ${report.policies.join(', ')}`, ''] : []
  return [
    `Drill ${report.drill} (${report.difficulty}): ${report.title}`,
    `Ready in namespace(s) ${report.namespaces.join(', ')}.`,
    '',
    'Task:',
    indent(report.task, '  '),
    '',
    ...setup,
    `Check your work:   kubectl netpol drill check ${report.drill}`,
    `Stuck?             kubectl netpol drill hint ${report.drill}`,
    `Start over / done: kubectl netpol drill reset ${report.drill}`,
    '',
  ].join('\n')
}

/** The diagnoses first, then each check with one line per miss (the rule deciding it); the full reasoning with `explain`. */
export function renderCheck(report: CheckReport, explain = false): string {
  const { checks, pass, fail, unknown } = report.summary
  const lines = [`Drill ${report.drill}: ${report.title}`, '']
  if (report.diagnoses.length > 0) lines.push('Diagnosis:', ...report.diagnoses.map((d) => `- ${d}`), '')
  for (const check of report.checks) lines.push(...checkLines(check, explain))
  lines.push('', `${pass}/${checks} checks pass${fail > 0 ? `, ${fail} fail` : ''}${unknown > 0 ? `, ${unknown} could not be measured` : ''}.`)
  if (!explain && report.checks.some((c) => c.misses.some((m) => m.explanation))) lines.push(`Why, on your policies: kubectl netpol drill check ${report.drill} --explain`)
  lines.push(fail === 0 && unknown === 0
    ? `Well done: every required connection works and every forbidden one is blocked. Clean up with: kubectl netpol drill reset ${report.drill}`
    : `Fix your policies and run kubectl netpol drill check ${report.drill} again (kubectl netpol drill hint ${report.drill} helps).`)
  return lines.join('\n') + '\n'
}

const MARK = { pass: '✔', fail: '✘', unknown: '?' } as const

function checkLines(check: ExpectationGrade, explain: boolean): string[] {
  const head = `${MARK[check.outcome]} ${check.kind === 'required' ? 'required ' : 'forbidden'}  ${check.expectation}`
  if (check.outcome === 'pass') return [head]
  const lines = [`${head}   (${check.misses.length} of ${check.connections} connection(s) not as required)`]
  lines.push(...check.misses.map((m) => `    ${m.from} -> ${m.to} ${m.protocol}/${m.port}: ${m.problem}${m.explanation ? `; your policies: ${decidingRule(m.explanation)}` : ''}`))
  if (!explain) return lines
  // One trace per check keeps the report readable; --json carries the trace of every miss.
  const explained = check.misses.find((m) => m.explanation && m.from !== m.to) ?? check.misses.find((m) => m.explanation)
  if (explained?.explanation) lines.push(`    Why, on your policies (${explained.from} -> ${explained.to}):`, indent(explanationText(explained.explanation), '      '), '')
  return lines
}

export function renderHint(report: HintReport): string {
  if (report.hints.length === 0) {
    return `No more hints for ${report.drill} (all ${report.total} given). The reference answer: kubectl netpol drill solution ${report.drill}\n`
  }
  const hints = report.hints.map((h) => `Hint ${h.number}/${report.total}: ${h.text.trimEnd()}`)
  const more = report.remaining > 0 ? [`(${report.remaining} more: kubectl netpol drill hint ${report.drill})`] : []
  return [...hints, ...more].join('\n') + '\n'
}

/** Ready for `kubectl apply -f -`. */
export function renderSolution(drill: string, manifests: object[]): string {
  return `# Reference solution of drill ${drill}: kubectl netpol drill solution ${drill} | kubectl apply -f -\n` +
    manifests.map(toYaml).join('---\n')
}

export function renderReset(report: ResetReport): string {
  return report.deleted.length === 0
    ? `Nothing to reset: drill ${report.drill} is not started.\n`
    : `Deleted ${report.deleted.join(', ')} (the drill's pods and every policy in them).\n`
}
