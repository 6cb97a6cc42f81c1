// Text, JSON and YAML renderings of scenario reports.
import { toYaml } from '../report/format.js'
import type { ValidateReport } from '../workflows/scenario.js'

export type ScenarioFormat = 'table' | 'json' | 'yaml'

export function renderValidation(report: ValidateReport, format: ScenarioFormat): string {
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n'
  if (format === 'yaml') return toYaml(report)
  const lines = report.scenarios.map((s) => {
    const head = `${s.contradictions.length === 0 ? 'ok  ' : 'FAIL'} ${s.file} (${s.name}): ${s.steps} step(s), ${s.expectations} expected connection(s)`
    return [head, ...s.contradictions.map((c) =>
      `     step "${c.step}": ${c.from} -> ${c.to} ${c.protocol}/${c.port}: expected ${c.expected} ("${c.expectation}"), predicted ${c.predicted}: ${c.why}`)].join('\n')
  })
  const { scenarios, contradictions } = report.summary
  lines.push(contradictions === 0
    ? `${scenarios} scenario(s): every expectation agrees with the policies.`
    : `${contradictions} expectation(s) contradict what the policies say.`)
  return lines.join('\n') + '\n'
}
