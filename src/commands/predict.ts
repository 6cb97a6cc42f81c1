import { Flags } from '@oclif/core'
import { BaseCommand } from '../cli/base.js'
import { externalAddressFlag, fileFlag, kubeFlags, queryFlags, requestOf, snapshotSource, terminalWidth } from '../cli/flags.js'
import { printDiagnostics } from '../cli/diagnostics.js'
import { ExitCode } from '../model/errors.js'
import { renderPredict, type PredictFormat } from '../report/predict.js'
import type { PredictReport } from '../report/model.js'
import { predict } from '../workflows/predict.js'

export default class Predict extends BaseCommand {
  static override summary = 'Predict which connections NetworkPolicy allows, from manifests or the live cluster.'
  static override description = 'Evaluates every (source, destination, port, protocol) in scope with the NetworkPolicy rules and prints the allowed/denied matrix. Nothing is created in the cluster.'
  static override enableJsonFlag = true
  static override examples = [
    'kubectl netpol predict -f manifests/ --port 80 --protocol TCP',
    'kubectl netpol predict -n shop -n payments --port 8080 -o wide',
    'kubectl netpol predict -f world.yaml --from x/a --to "y/*" --port serve-80-tcp -o json',
  ]

  static override flags = {
    ...fileFlag,
    ...kubeFlags,
    ...queryFlags,
    ...externalAddressFlag,
    output: Flags.string({ char: 'o', description: 'Output format.', options: ['table', 'wide', 'json', 'yaml', 'markdown'], default: 'table' }),
    strict: Flags.boolean({ description: 'Exit 1 when a lint warning is found.' }),
  }

  async run(): Promise<PredictReport> {
    const { flags } = await this.parse(Predict)
    const report = await predict({ source: snapshotSource(flags), request: requestOf(flags), externals: flags.external ?? [] })
    printDiagnostics(report)
    const structured = this.jsonEnabled() || flags.output === 'json' || flags.output === 'yaml'
    if (report.noResources && !structured) process.stderr.write(`${report.noResources}\n`)
    else if (!this.jsonEnabled()) process.stdout.write(renderPredict(report, flags.output as PredictFormat, terminalWidth()))
    process.exitCode = flags.strict && report.warnings.length > 0 ? ExitCode.disagreement : ExitCode.ok
    return report
  }
}
