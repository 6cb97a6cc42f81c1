import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base.js'
import { drillClusterFlags, drillClusterOptions, imageFlag } from '../../cli/flags.js'
import { cleanupOnSignals } from '../../cli/interrupt.js'
import { probeProgress } from '../../cli/probe-progress.js'
import { quietProgress, withProgress } from '../../cli/progress.js'
import { renderStart } from '../../drill/render.js'

import type { StartReport } from '../../drill/report.js'
import { loadDrill } from '../../drill/catalogue.js'
import { startDrill } from '../../workflows/drill.js'

export default class DrillStart extends BaseCommand {
  static override summary = 'Build a drill\'s namespaces and pods in the cluster and print its task.'
  static override description = `The namespaces get the names the task uses and the label netpol.kubectl.io/run-id=drill-NAME. If they exist already the drill refuses, unless --force (which starts over); a namespace of that name that the drill did not create is never touched.
Exit codes: 0 ready, 2 no such drill, a namespace in the way, or a cluster problem.`
  static override enableJsonFlag = true
  static override args = { name: Args.string({ description: 'The drill (see `drill list`).', required: true }) }
  static override examples = ['kubectl netpol drill start default-deny', 'kubectl netpol drill start three-tiers --force']

  static override flags = {
    ...drillClusterFlags(),
    force: Flags.boolean({ description: 'Delete and rebuild the drill if it is already started.' }),
    image: imageFlag('Image of the drill\'s server pods (needs bash and socat).'),
  }

  async run(): Promise<StartReport> {
    const { args, flags } = await this.parse(DrillStart)
    const drill = await loadDrill(args.name)
    const signals = cleanupOnSignals()
    try {
      const report = await withProgress(`Starting drill ${args.name}`, (update) => startDrill(drill, {
        ...drillClusterOptions(flags),
        image: flags.image,
        force: flags.force,
        onEvent: probeProgress(update),
        onCleanup: signals.register,
      }), quietProgress(this.jsonEnabled()))
      if (!this.jsonEnabled()) process.stdout.write(renderStart(report))
      return report
    } finally {
      signals.dispose()
    }
  }
}
