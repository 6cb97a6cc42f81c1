import { writeFileSync } from 'node:fs'
import { Args, Flags } from '@oclif/core'
import { BaseCommand } from '../../cli/base.js'
import { kubeFlags, parseDuration, snapshotSource } from '../../cli/flags.js'
import { cleanupOnSignals } from '../../cli/interrupt.js'
import { probeProgress } from '../../cli/probe-progress.js'
import { withProgress } from '../../cli/progress.js'
import { ExitCode } from '../../model/errors.js'
import { DEFAULT_IMAGE } from '../../probe/spec.js'
import { renderRun, renderRunJunit, type ScenarioFormat } from '../../scenario/render.js'
import { runScenarios, type RunReport } from '../../workflows/scenario.js'

export default class ScenarioRun extends BaseCommand {
  static override summary = 'Build each scenario\'s world in the cluster, play its steps, and measure every connection against the expectations and the prediction.'
  static override description = `Creates the namespaces (prefixed np-<run id>-) and server pods of the world, waits until they are Ready, then for each step applies its actions and probes every connection between the world's pods. Everything is deleted afterwards (also on failure and Ctrl-C) unless --keep.
Exit codes: 0 every check passes, 1 a violated expectation or a disagreement with the prediction, 2 bad input or cluster/permission problem, 3 unknown checks but no failure.`
  static override enableJsonFlag = true
  static override strict = false
  static override args = { file: Args.string({ description: 'Scenario file or directory (repeatable).', required: true }) }
  static override examples = ['<%= config.bin %> scenario run scenarios/tiers.yaml', '<%= config.bin %> scenario run scenarios/ --junit scenarios.xml', '<%= config.bin %> scenario run scenarios/dns-egress.yaml --keep']

  static override flags = {
    kubeconfig: kubeFlags.kubeconfig,
    context: kubeFlags.context,
    'request-timeout': kubeFlags['request-timeout'],
    image: Flags.string({ description: 'Image of the server and probe pods (needs bash, timeout, dig, socat).', default: DEFAULT_IMAGE }),
    keep: Flags.boolean({ description: 'Leave the world in the cluster for inspection.' }),
    timeout: Flags.string({ description: 'Time one connection attempt may take.', default: '2s' }),
    'start-timeout': Flags.string({ description: 'Time a server or probe pod may take to start.', default: '90s' }),
    settle: Flags.string({ description: 'Keep re-probing disagreements this long after each step (policies apply eventually).', default: '10s' }),
    parallelism: Flags.integer({ description: 'Checks one probe container runs at once.', default: 32, min: 1, max: 256 }),
    junit: Flags.string({ description: 'Write a JUnit XML report to this file.' }),
    output: Flags.string({ char: 'o', description: 'Output format.', options: ['table', 'json', 'yaml'], default: 'table' }),
  }

  async run(): Promise<RunReport> {
    const { argv, flags } = await this.parse(ScenarioRun)
    const signals = cleanupOnSignals()
    const quiet = this.jsonEnabled() || flags.output !== 'table' ? !process.stderr.isTTY : false
    try {
      const report = await withProgress('Running scenarios', (update) => {
        const probeEvent = probeProgress(update)
        return runScenarios(argv as string[], {
          client: snapshotSource({ ...flags, 'all-namespaces': false }).client,
          image: flags.image,
          keep: flags.keep,
          checkTimeout: Math.max(1, parseDuration(flags.timeout, '--timeout')),
          startTimeout: parseDuration(flags['start-timeout'], '--start-timeout'),
          settle: parseDuration(flags.settle, '--settle'),
          parallelism: flags.parallelism,
          onEvent: (event) => (event.kind === 'phase' ? update(event.text) : probeEvent(event)),
          onCleanup: signals.register,
        })
      }, quiet)
      if (flags.junit) writeFileSync(flags.junit, renderRunJunit(report))
      if (!this.jsonEnabled()) process.stdout.write(renderRun(report, flags.output as ScenarioFormat))
      process.exitCode = scenarioExitCode(report)
      return report
    } finally {
      signals.dispose()
    }
  }
}

export function scenarioExitCode(report: RunReport): number {
  if (report.summary.fail > 0) return ExitCode.disagreement
  return report.summary.unknown > 0 ? ExitCode.unknown : ExitCode.ok
}
