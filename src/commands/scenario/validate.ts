import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base.js'
import { ExitCode } from '../../model/errors.js'
import { renderValidation, type ScenarioFormat } from '../../scenario/render.js'
import type { ValidateReport } from '../../scenario/report.js'
import { validateScenarios } from '../../workflows/scenario.js'

export default class ScenarioValidate extends BaseCommand {
  static override summary = 'Check scenario files offline: their shape, and whether their expectations agree with the evaluator.'
  static override description = 'Exit codes: 0 every expectation agrees with the prediction, 1 a contradiction, 2 a malformed file.'
  static override enableJsonFlag = true
  static override strict = false
  static override args = { file: Args.string({ description: 'Scenario file or directory (repeatable).', required: true }) }
  static override examples = ['kubectl netpol scenario validate scenarios/', 'kubectl netpol scenario validate scenarios/tiers.yaml -o json']

  static override flags = {
    output: Flags.string({ char: 'o', description: 'Output format.', options: ['table', 'json', 'yaml'], default: 'table' }),
  }

  async run(): Promise<ValidateReport> {
    const { argv, flags } = await this.parse(ScenarioValidate)
    const report = await validateScenarios(argv as string[])
    if (!this.jsonEnabled()) process.stdout.write(renderValidation(report, flags.output as ScenarioFormat))
    process.exitCode = report.summary.contradictions > 0 ? ExitCode.disagreement : ExitCode.ok
    return report
  }
}
