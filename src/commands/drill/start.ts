import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base.js'
import { kubeFlags, parseDuration, snapshotSource } from '../../cli/flags.js'
import { cleanupOnSignals } from '../../cli/interrupt.js'
import { withProgress } from '../../cli/progress.js'
import { renderStart } from '../../drill/render.js'
import { DEFAULT_IMAGE } from '../../probe/spec.js'
import { loadDrill, startDrill, type StartReport } from '../../workflows/drill.js'

export default class DrillStart extends BaseCommand {
  static override summary = 'Build a drill\'s namespaces and pods in the cluster and print its task.'
  static override description = `The namespaces get the names the task uses and the label netpol.kubectl.io/run-id=drill-NAME. If they exist already the drill refuses, unless --force (which starts over); a namespace of that name that the drill did not create is never touched.
Exit codes: 0 ready, 2 no such drill, a namespace in the way, or a cluster problem.`
  static override enableJsonFlag = true
  static override args = { name: Args.string({ description: 'The drill (see `drill list`).', required: true }) }
  static override examples = ['<%= config.bin %> drill start default-deny', '<%= config.bin %> drill start three-tiers --force']

  static override flags = {
    ...drillClusterFlags(),
    force: Flags.boolean({ description: 'Delete and rebuild the drill if it is already started.' }),
    image: Flags.string({ description: 'Image of the drill\'s server pods (needs bash and socat).', default: DEFAULT_IMAGE }),
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
        onEvent: (event) => { if (event.kind === 'phase') update(event.text) },
        onCleanup: signals.register,
      }), quietProgress(this.jsonEnabled()))
      if (!this.jsonEnabled()) process.stdout.write(renderStart(report))
      return report
    } finally {
      signals.dispose()
    }
  }
}

/** The cluster flags every drill command that touches the cluster takes. */
export function drillClusterFlags() {
  return {
    kubeconfig: kubeFlags.kubeconfig,
    context: kubeFlags.context,
    'request-timeout': kubeFlags['request-timeout'],
    'start-timeout': Flags.string({ description: 'Time pods may take to become Ready, and namespaces to go away.', default: '120s' }),
  }
}

export function drillClusterOptions(flags: { kubeconfig?: string; context?: string; 'request-timeout': string; 'start-timeout': string }) {
  return {
    client: snapshotSource({ ...flags, 'all-namespaces': false }).client,
    startTimeout: parseDuration(flags['start-timeout'], '--start-timeout'),
  }
}

/** Progress goes to stderr; with --json it is shown only on a terminal. */
export function quietProgress(json: boolean): boolean {
  return json ? !process.stderr.isTTY : false
}
