import { Args } from '@oclif/core'
import { BaseCommand } from '../../cli/base.js'
import { drillClusterFlags, drillClusterOptions } from '../../cli/flags.js'
import { probeProgress } from '../../cli/probe-progress.js'
import { quietProgress, withProgress } from '../../cli/progress.js'
import { renderReset } from '../../drill/render.js'
import type { ResetReport } from '../../drill/report.js'
import { loadDrill } from '../../drill/catalogue.js'
import { resetDrill } from '../../workflows/drill.js'

export default class DrillReset extends BaseCommand {
  static override summary = 'Delete a drill\'s namespaces (its pods and every policy you applied there) and wait until they are gone.'
  static override enableJsonFlag = true
  static override args = { name: Args.string({ description: 'The drill (see `drill list`).', required: true }) }
  static override examples = ['kubectl netpol drill reset default-deny']
  static override flags = drillClusterFlags()

  async run(): Promise<ResetReport> {
    const { args, flags } = await this.parse(DrillReset)
    const drill = await loadDrill(args.name)
    const report = await withProgress(`Resetting drill ${args.name}`, (update) => resetDrill(drill, {
      ...drillClusterOptions(flags),
      onEvent: probeProgress(update),
    }), quietProgress(this.jsonEnabled()))
    if (!this.jsonEnabled()) process.stdout.write(renderReset(report))
    return report
  }
}
