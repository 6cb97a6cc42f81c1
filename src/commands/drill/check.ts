import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base.js'
import { parseDuration } from '../../cli/flags.js'
import { cleanupOnSignals } from '../../cli/interrupt.js'
import { probeProgress } from '../../cli/probe-progress.js'
import { withProgress } from '../../cli/progress.js'
import { renderCheck } from '../../drill/render.js'
import { ExitCode } from '../../model/errors.js'
import { DEFAULT_IMAGE } from '../../probe/spec.js'
import { loadDrill, checkDrill, type CheckReport } from '../../workflows/drill.js'
import { drillClusterFlags, drillClusterOptions, quietProgress } from './start.js'

export default class DrillCheck extends BaseCommand {
  static override summary = 'Grade a started drill: measure every connection it names and say which required ones fail and which forbidden ones still go through.'
  static override description = `Probes the drill's pods from short-lived probe pods that carry each pod's identity (as \`probe\` does), then grades each expectation of the drill. Each miss comes with the reasoning on your policies, as \`explain\` prints it.
Exit codes: 0 every check passes, 1 a check fails, 2 no such drill, drill not started, or a cluster problem, 3 no failure but some connections could not be measured.`
  static override enableJsonFlag = true
  static override args = { name: Args.string({ description: 'The drill (see `drill list`).', required: true }) }
  static override examples = ['<%= config.bin %> drill check default-deny', '<%= config.bin %> drill check dns-egress --json']

  static override flags = {
    ...drillClusterFlags(),
    image: Flags.string({ description: 'Probe image (needs bash, timeout, dig, socat).', default: DEFAULT_IMAGE }),
    timeout: Flags.string({ description: 'Time one connection attempt may take.', default: '2s' }),
    settle: Flags.string({ description: 'Keep re-probing connections that disagree with your policies this long (policies apply eventually).', default: '10s' }),
    parallelism: Flags.integer({ description: 'Checks one probe container runs at once.', default: 32, min: 1, max: 256 }),
  }

  async run(): Promise<CheckReport> {
    const { args, flags } = await this.parse(DrillCheck)
    const drill = await loadDrill(args.name)
    const signals = cleanupOnSignals()
    try {
      const report = await withProgress(`Checking drill ${args.name}`, (update) => {
        const probeEvent = probeProgress(update)
        return checkDrill(drill, {
          ...drillClusterOptions(flags),
          image: flags.image,
          checkTimeout: Math.max(1, parseDuration(flags.timeout, '--timeout')),
          settle: parseDuration(flags.settle, '--settle'),
          parallelism: flags.parallelism,
          onEvent: (event) => (event.kind === 'phase' ? update(event.text) : probeEvent(event)),
          onCleanup: signals.register,
        })
      }, quietProgress(this.jsonEnabled()))
      if (!this.jsonEnabled()) process.stdout.write(renderCheck(report))
      process.exitCode = drillExitCode(report)
      return report
    } finally {
      signals.dispose()
    }
  }
}

export function drillExitCode(report: Pick<CheckReport, 'summary'>): number {
  if (report.summary.fail > 0) return ExitCode.disagreement
  return report.summary.unknown > 0 ? ExitCode.unknown : ExitCode.ok
}
