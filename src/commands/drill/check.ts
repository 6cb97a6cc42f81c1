import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base.js'
import { measuredExitCode } from '../../cli/exit.js'
import { drillClusterFlags, drillClusterOptions, enforcerHint, enforcerHintFlag, probeRunFlags, probeRunOptions } from '../../cli/flags.js'
import { cleanupOnSignals } from '../../cli/interrupt.js'
import { probeProgress } from '../../cli/probe-progress.js'
import { quietProgress, withProgress } from '../../cli/progress.js'
import { renderCheck } from '../../drill/render.js'
import type { CheckReport } from '../../drill/report.js'
import { loadDrill } from '../../drill/catalogue.js'
import { checkDrill } from '../../workflows/drill.js'

export default class DrillCheck extends BaseCommand {
  static override summary = 'Grade a started drill: measure every connection it names and say which required ones fail and which forbidden ones still go through.'
  static override description = `Probes the drill's pods from short-lived probe pods that carry each pod's identity (as \`probe\` does), then grades each expectation of the drill. Each miss is one line with the rule of your policies that decides it; --explain adds the full reasoning, as \`explain\` prints it.
Exit codes: 0 every check passes, 1 a check fails, 2 no such drill, drill not started, or a cluster problem, 3 no failure but some connections could not be measured.`
  static override enableJsonFlag = true
  static override args = { name: Args.string({ description: 'The drill (see `drill list`).', required: true }) }
  static override examples = ['kubectl netpol drill check default-deny', 'kubectl netpol drill check dns-egress --json']

  static override flags = {
    ...probeRunFlags,
    ...drillClusterFlags(),
    ...enforcerHintFlag,
    explain: Flags.boolean({ description: 'Print the full reasoning on your policies under each failed check.' }),
  }

  async run(): Promise<CheckReport> {
    const { args, flags } = await this.parse(DrillCheck)
    const drill = await loadDrill(args.name)
    const signals = cleanupOnSignals()
    try {
      const report = await withProgress(`Checking drill ${args.name}`, (update) => {
        return checkDrill(drill, {
          ...probeRunOptions(flags),
          ...drillClusterOptions(flags),
          enforcer: enforcerHint(flags),
          onEvent: probeProgress(update),
          onCleanup: signals.register,
        })
      }, quietProgress(this.jsonEnabled()))
      if (!this.jsonEnabled()) process.stdout.write(renderCheck(report, flags.explain))
      process.exitCode = drillExitCode(report)
      return report
    } finally {
      signals.dispose()
    }
  }
}

function drillExitCode(report: Pick<CheckReport, 'summary'>): number {
  return measuredExitCode(report.summary.fail, report.summary.unknown)
}
