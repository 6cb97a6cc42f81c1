import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base.js'
import { renderHint } from '../../drill/render.js'
import type { HintReport } from '../../drill/report.js'
import { drillHint } from '../../workflows/drill.js'

export default class DrillHint extends BaseCommand {
  static override summary = 'Show the next hint of a drill (or all of them).'
  static override description = 'Which hints were given is remembered per drill (in $XDG_STATE_HOME/kubectl-netpol, default ~/.local/state) until `drill start` or `drill reset`.'
  static override enableJsonFlag = true
  static override args = { name: Args.string({ description: 'The drill (see `drill list`).', required: true }) }
  static override examples = ['kubectl netpol drill hint default-deny', 'kubectl netpol drill hint default-deny --all']
  static override flags = { all: Flags.boolean({ description: 'Show every hint.' }) }

  async run(): Promise<HintReport> {
    const { args, flags } = await this.parse(DrillHint)
    const report = await drillHint(args.name, flags.all)
    if (!this.jsonEnabled()) process.stdout.write(renderHint(report))
    return report
  }
}
