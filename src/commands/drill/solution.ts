import { Args } from '@oclif/core'
import { BaseCommand } from '../../cli/base.js'
import { renderSolution } from '../../drill/render.js'
import { drillSolution } from '../../workflows/drill.js'

export default class DrillSolution extends BaseCommand {
  static override summary = 'Print the reference solution of a drill as NetworkPolicy YAML, ready for `kubectl apply -f -`.'
  static override enableJsonFlag = true
  static override args = { name: Args.string({ description: 'The drill (see `drill list`).', required: true }) }
  static override examples = ['kubectl netpol drill solution default-deny', 'kubectl netpol drill solution default-deny | kubectl apply -f -']

  async run(): Promise<{ drill: string; manifests: object[] }> {
    const { args } = await this.parse(DrillSolution)
    const report = await drillSolution(args.name)
    if (!this.jsonEnabled()) process.stdout.write(renderSolution(report.drill, report.manifests))
    return report
  }
}
