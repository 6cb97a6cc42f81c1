import { writeFileSync } from 'node:fs'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base.js'
import { measuredExitCode } from '../../cli/exit.js'
import { clusterFlags, enforcerHint, enforcerHintFlag, imageFlag, probeRunFlags, probeRunOptions, snapshotSource, terminalWidth } from '../../cli/flags.js'
import { cleanupOnSignals } from '../../cli/interrupt.js'
import { probeProgress } from '../../cli/probe-progress.js'
import { quietProgress, withProgress } from '../../cli/progress.js'
import { renderRun, renderRunJunit, type ScenarioFormat } from '../../scenario/render.js'
import type { RunReport } from '../../scenario/report.js'
import { runScenarios } from '../../workflows/scenario.js'

export default class ScenarioRun extends BaseCommand {
  static override summary = 'Build each scenario\'s world in the cluster, play its steps, and measure every connection against the expectations and the prediction.'
  static override description = `Creates the namespaces (prefixed np-<run id>-) and server pods of the world, waits until they are Ready, then for each step applies its actions and probes every connection between the world's pods. Everything is deleted afterwards (also on failure and Ctrl-C) unless --keep.
Exit codes: 0 every check passes, 1 a violated expectation or a disagreement with the prediction, 2 bad input or cluster/permission problem, 3 unknown checks but no failure.`
  static override enableJsonFlag = true
  static override strict = false
  static override args = { file: Args.string({ description: 'Scenario file or directory (repeatable).', required: true }) }
  static override examples = ['kubectl netpol scenario run scenarios/tiers.yaml', 'kubectl netpol scenario run scenarios/ --junit scenarios.xml', 'kubectl netpol scenario run scenarios/dns-egress.yaml --keep']

  static override flags = {
    ...clusterFlags,
    ...probeRunFlags,
    image: imageFlag('Image of the server and probe pods (needs bash, timeout, dig, socat).'),
    ...enforcerHintFlag,
    keep: Flags.boolean({ description: 'Leave the world in the cluster for inspection.' }),
    junit: Flags.string({ description: 'Write a JUnit XML report to this file.' }),
    output: Flags.string({ char: 'o', description: 'Output format.', options: ['table', 'json', 'yaml'], default: 'table' }),
  }

  async run(): Promise<RunReport> {
    const { argv, flags } = await this.parse(ScenarioRun)
    const signals = cleanupOnSignals()
    const quiet = quietProgress(this.jsonEnabled() || flags.output !== 'table')
    try {
      const report = await withProgress('Running scenarios', (update) => {
        return runScenarios(argv as string[], {
          client: snapshotSource(flags).client,
          ...probeRunOptions(flags),
          enforcer: enforcerHint(flags),
          keep: flags.keep,
          onEvent: probeProgress(update),
          onCleanup: signals.register,
        })
      }, quiet)
      if (flags.junit) writeFileSync(flags.junit, renderRunJunit(report))
      if (!this.jsonEnabled()) process.stdout.write(renderRun(report, flags.output as ScenarioFormat, terminalWidth()))
      process.exitCode = scenarioExitCode(report)
      return report
    } finally {
      signals.dispose()
    }
  }
}

export function scenarioExitCode(report: RunReport): number {
  return measuredExitCode(report.summary.fail, report.summary.unknown)
}
