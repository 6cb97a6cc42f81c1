import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base.js'
import { externalAddressFlag, fileFlag, kubeFlags, queryFlags, requestOf, snapshotSource, terminalWidth } from '../cli/flags.js'
import { printDiagnostics } from '../cli/diagnostics.js'
import { writeChunks } from '../cli/output.js'
import { ExitCode } from '../model/errors.js'
import { renderPredict, type PredictFormat } from '../report/predict.js'
import type { PredictReport } from '../report/model.js'
import { predict } from '../workflows/predict.js'

export default class Predict extends BaseCommand {
  static override summary = 'Predict which connections NetworkPolicy allows, from manifests or the live cluster.'
  static override description = 'Evaluates every (source, destination, port, protocol) in scope with the NetworkPolicy rules and prints the allowed/denied matrix over workloads: the pods of a Deployment, StatefulSet, DaemonSet, Job or CronJob that policies treat alike are one row (`shop/frontend (Deployment, 2 pods)`); bare pods are their own. --all-pods lists every pod pair. Nothing is created in the cluster.'
  static override enableJsonFlag = true
  static override examples = [
    '<%= config.bin %> predict -f manifests/ --port 80 --protocol TCP',
    '<%= config.bin %> predict -n shop -n payments --port 8080 -o wide',
    '<%= config.bin %> predict -f world.yaml --from x/a --to "y/*" --port serve-80-tcp -o json',
    '<%= config.bin %> predict -f shop/ --from deploy/frontend --to shop/db-0 --all-pods',
  ]

  static override flags = {
    ...fileFlag,
    ...kubeFlags,
    ...queryFlags,
    ...externalAddressFlag,
    output: Flags.string({ char: 'o', description: 'Output format.', options: ['table', 'wide', 'json', 'yaml', 'markdown'], default: 'table' }),
    'all-pods': Flags.boolean({ description: 'One row per pod pair instead of per workload.' }),
    explain: Flags.boolean({ description: 'Add the rules that decide each side to every row (as -o wide does for tables).' }),
    strict: Flags.boolean({ description: 'Exit 1 when a lint warning is found.' }),
  }

  private streamed?: PredictReport

  async run(): Promise<PredictReport> {
    const { flags } = await this.parse(Predict)
    const report = await predict({ source: snapshotSource(flags), request: requestOf(flags), externals: flags.external ?? [] })
    printDiagnostics(report)
    // The matrix is written as it is read; --json is -o json, streamed the same way.
    const format = this.jsonEnabled() ? 'json' : flags.output as PredictFormat
    await writeChunks(renderPredict(report, { format, width: terminalWidth(), allPods: flags['all-pods'], explain: flags.explain }))
    this.streamed = report
    process.exitCode = flags.strict && report.warnings.length > 0 ? ExitCode.disagreement : ExitCode.ok
    return report
  }

  protected override logJson(json: unknown): void {
    if (json !== this.streamed) super.logJson(json)
  }
}
