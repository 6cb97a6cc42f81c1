import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base.js'
import { clusterFlags, snapshotSource } from '../cli/flags.js'
import { cleanupRuns, type CleanupReport } from '../workflows/cleanup.js'

export default class Cleanup extends BaseCommand {
  static override summary = 'Remove probe pods and run objects that an interrupted run left behind.'
  static override enableJsonFlag = true
  static override examples = ['kubectl netpol cleanup', 'kubectl netpol cleanup --run-id 3f9a2c']

  static override flags = {
    ...clusterFlags,
    'run-id': Flags.string({ description: 'Only this run (default: every kubectl-netpol run).' }),
  }

  async run(): Promise<CleanupReport> {
    const { flags } = await this.parse(Cleanup)
    const report = await cleanupRuns(snapshotSource(flags).client, flags['run-id'])
    if (!this.jsonEnabled()) {
      process.stdout.write(report.removed.length === 0
        ? 'nothing to clean up\n'
        : report.removed.map((o) => `removed ${o.kind.toLowerCase()} ${o.namespace}/${o.name} (run ${o.runId})\n`).join(''))
    }
    return report
  }
}
